"""A withdrawn document whose unsigned bytes were changed is still that document (pdfatk12).

The look-up found an issued document by the SHA-256 of the whole file or of a revision a
signature ends (`signing.verify.lookup`). Two edits that break no signature made a revoked
document unknown, and its seal was then reported "valid" with "the agency that issued the
document has not withdrawn it":

- the file cut after the seal's revision (the document time-stamp and its validation data
  dropped): the seal still verifies, at a lower level;
- the hexadecimal digits of a /Contents written in the other case (or any change inside a
  signature's unsigned gap): what the signatures sign is unchanged.

What every signature of the stored original signs is the same in such a file, and that is
what makes it the document (`signing.verify.signed_content`).
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime

import pytest

from infra.db import get_db
from signing.verify import document_revocation
from tests.signing.verify import samples
from tests.signing.verify.issued import issue_residence

_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _seal_end(pdf: bytes) -> int:
    """Just after the last byte the seal (the first signature) signs."""
    _, second, length = (int(v) for v in _RANGE.search(pdf).groups())
    return second + length


def cut_after_the_seal(pdf: bytes) -> bytes:
    """Only the revisions the seal signs: later time-stamps and validation data dropped."""
    return pdf[:_seal_end(pdf)]


def contents_in_lower_case(pdf: bytes) -> bytes:
    """Every /Contents hexadecimal string written in lower case (the same bytes decoded)."""
    return re.sub(rb"(/Contents\s*<)([0-9A-Fa-f]+)(>)",
                  lambda m: m.group(1) + m.group(2).lower() + m.group(3), pdf)


def _verify(client, data: bytes, language: str = "en") -> dict:
    answer = client.post(f"/api/verify?lang={language}", data=data,
                         headers={"Content-Type": "application/pdf"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


@pytest.fixture
def revoked(pki_app, documents, citizen):
    document, pdf = issue_residence(documents, citizen)
    document_revocation.revoke(get_db(pki_app), document_id=document.id,
                               reason="Emitido por error", now=datetime.now(UTC))
    return document, pdf


@pytest.mark.parametrize("edit", [cut_after_the_seal, contents_in_lower_case])
def test_a_revoked_document_stays_revoked_when_its_unsigned_bytes_change(pki_app, revoked, edit):
    document, pdf = revoked
    forged = edit(pdf)
    assert forged != pdf
    body = _verify(pki_app.test_client(), forged)
    assert body["signatures"][0]["indication"] == "TOTAL-PASSED"  # nothing broken
    assert body["document"] is not None, body["advice"]
    assert body["document"]["csv"] == document.csv
    assert body["document"]["matched_by"] == "signed_content"
    assert (body["document_status"], body["verdict"]) == ("revoked", "revoked")
    assert "has not withdrawn" not in body["advice"]["means"]


def test_the_page_says_the_file_differs_from_the_original(pki_app, revoked):
    from signing.verify.texts import text
    from tests.signing.verify.test_verdict_pages import _token, verdict_of

    document, pdf = revoked
    client = pki_app.test_client()
    for language in ("en", "es"):
        page = client.post(f"/verify?lang={language}",
                           data={"csrf_token": _token(client),
                                 "file": (io.BytesIO(cut_after_the_seal(pdf)), "documento.pdf")},
                           content_type="multipart/form-data",
                           headers={"Accept-Language": language}).get_data(as_text=True)
        assert verdict_of(page)[0] == "revoked"
        assert document.csv in page
        assert text("verify.page.match_signed_content", language) in re.sub(r"\s+", " ", page)


def test_the_unchanged_file_is_still_found_by_its_hash(pki_app, revoked):
    document, pdf = revoked
    body = _verify(pki_app.test_client(), pdf)
    assert (body["document"]["csv"], body["document"]["matched_by"]) == (document.csv, "hash")
    assert body["verdict"] == "revoked"


def test_another_documents_code_in_the_file_does_not_make_it_that_document(pki_app, documents,
                                                                          citizen, revoked):
    """The code only proposes a document; what its signatures sign decides. A valid document
    cut after its seal, with a revoked one's code appended, is the valid one."""
    other, _ = revoked
    mine, pdf = issue_residence(documents, citizen)
    forged = cut_after_the_seal(pdf) + b"%" + other.csv.encode() + b"\n"
    body = _verify(pki_app.test_client(), forged)
    assert body["document"]["csv"] == mine.csv and body["document"]["status"] == "valid"


def test_a_file_that_merely_names_a_code_is_not_that_document(pki_app, revoked, pki):
    """A document signed by someone else that carries a revoked document's code is not it."""
    other, _ = revoked
    forged = samples.sign(samples.blank_pdf(text=f"CSV {other.csv}"),
                          samples.signer_for(pki.signer, pki))
    body = _verify(pki_app.test_client(), forged)
    assert body["document"] is None


@pytest.mark.parametrize("edit", [cut_after_the_seal, contents_in_lower_case])
def test_cedula_verify_says_so_too(pki_app, revoked, edit):
    """`cedula verify` (plain SQL, `signing.verify.command`) finds it as the app does."""
    from signing.verify.service import get_verification
    from tests.signing.verify.test_command import _as_json, _command

    document, pdf = revoked
    forged = edit(pdf)
    report = _command(pki_app).verify(forged)
    assert (report.document.csv, report.document.matched_by) == (document.csv, "signed_content")
    assert report.document_status == "revoked"
    assert _as_json(report) == _as_json(get_verification(pki_app).verify(forged))


def test_another_signature_over_the_same_bytes_is_not_the_seal(pki_app, revoked, pki):
    """The seal's CMS replaced by another signer's over the very bytes the seal signs: what is
    signed is the document's, the signature is not its seal; the file is not that document."""
    _, pdf = revoked
    cut = cut_after_the_seal(pdf)
    first, second, _ = (int(v) for v in _RANGE.search(cut).groups())
    info = asyncio.run(samples.signer_for(pki.signer, pki).async_sign_general_data(
        cut[:first] + cut[second:], "sha256", detached=True, use_cades=True))
    digits = info.dump().hex().upper().encode()
    assert len(digits) <= second - first - 2
    forged = cut[:first] + b"<" + digits.ljust(second - first - 2, b"0") + b">" + cut[second:]
    body = _verify(pki_app.test_client(), forged)
    assert body["signatures"][0]["signer"]["name"] == "Ana López"
    assert body["document"] is None
