"""The verdict's words: a document that is valid but carries data added after its last
signature (unsigned: an empty signature field, an unreferenced object) is never reported as
plainly valid ("nobody has changed it since it was signed"); the report says that data was
added after signing and that what was signed is unchanged. A document whose every byte is
signed (by its signature, a later signature or a document time-stamp) keeps the plain words.
Validation data alone (a DSS, what a PAdES B-LT signature adds after itself) is said as
such, a permitted addition. And no attack of the other families is ever called valid.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.verify.texts import text
from signing.verify.verdict import Verdict, advice
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries, samples
from tests.signing.verify.test_attack_incremental_saving import listed_orphan


def with_validation_data(pdf: bytes, pki) -> bytes:
    """What any LTV tool appends: a DSS with the issuer's certificate and CRL, unsigned."""
    _, first, second, _ = forgeries._byte_range(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, bytes.fromhex(pdf[first + 1:second - 1].decode("ascii")),
        certs=[pki.issuing.asn1], crls=list(pki.crls))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_empty_invisible_field(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("Pendiente"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def document_timestamped(pdf: bytes, pki) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfTimeStamper(samples.timestamper(pki)).timestamp_pdf(
        writer, "sha256").getvalue()


@pytest.fixture(scope="module")
def added(signed, pki) -> dict[str, bytes]:
    return {"validation_data": with_validation_data(signed, pki),
            "empty_field": with_empty_invisible_field(signed),
            "listed_orphan": listed_orphan(signed)}


PLAIN = text("verify.summary.passed", "en")


@pytest.mark.parametrize("name", ["empty_field", "listed_orphan"])
def test_valid_with_unsigned_additions_is_not_plainly_valid(verifier, added, name):
    """Regression: such a file was "genuine: its signature is valid and it has not been
    changed since it was signed", "Valid document ... nobody has changed it"."""
    report = verifier.verify(added[name])
    assert report.conclusion.passed and report.verdict is Verdict.VALID
    assert report.unsigned_additions
    for language in ("en", "es"):
        assert report.summary(language) == text("verify.summary.passed_added", language)
        words = advice(report.verdict, language, kind=report.advice_kind)
        assert words != advice(Verdict.VALID, language)
    assert "added" in report.summary("en") and "añadieron" in report.summary("es")
    body = report.as_json("en")
    assert body["unsigned_additions"] is True and body["summary"] != PLAIN
    assert "added after" in body["advice"]["title"]


def test_validation_data_alone_is_said_to_be_validation_data(verifier, added):
    """A DSS alone after the signature (what a PAdES B-LT signature adds after itself) is a
    permitted addition, said as such (citizen9): neither plainly unchanged nor "data added"."""
    report = verifier.verify(added["validation_data"])
    assert report.conclusion.passed and report.verdict is Verdict.VALID
    assert report.unsigned_additions and report.validation_data_only
    for language in ("en", "es"):
        assert report.summary(language) == text("verify.summary.passed_validation_data",
                                                language)
        words = advice(report.verdict, language, kind=report.advice_kind)
        assert words != advice(Verdict.VALID, language)
        assert words["title"] == text("verify.verdict.valid_validation_data.title", language)
    body = report.as_json("en")
    assert body["validation_data_only"] is True and "validation data" in body["advice"]["title"]


def test_every_byte_signed_keeps_the_plain_words(verifier, pki, signed, added):
    for pdf in (signed, document_timestamped(added["validation_data"], pki)):
        report = verifier.verify(pdf)
        assert report.conclusion.passed and not report.unsigned_additions
        assert report.summary("en") == PLAIN
        # the plain words (of a document the register does not hold: pdfatk12)
        assert report.as_json("en")["advice"] == advice(Verdict.VALID, "en", kind="unregistered")


def test_a_citizens_signature_with_additions_says_both():
    words = advice(Verdict.VALID, "en", kind="citizen_signed_added")
    assert words["title"] != advice(Verdict.VALID, "en", kind="citizen_signed")["title"]
    assert "citizen" in words["title"] and "added after" in words["title"]


def test_other_verdicts_keep_their_words():
    for verdict in Verdict:
        if not verdict.good:
            assert advice(verdict, "en", kind="added") == advice(verdict, "en")


def test_the_api_and_the_page_say_so_too(client, verifier, added):
    body = kit.over_http(client, verifier, added["empty_field"])
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert body["unsigned_additions"] is True and body["validation_data_only"] is False
    assert body["summary"] == text("verify.summary.passed_added", "en")
    assert body["advice"]["title"] == text("verify.verdict.valid_added.title", "en")
    body = kit.over_http(client, verifier, added["validation_data"])
    assert body["unsigned_additions"] is True and body["validation_data_only"] is True
    assert body["summary"] == text("verify.summary.passed_validation_data", "en")
    assert body["advice"]["title"] == text("verify.verdict.valid_validation_data.title", "en")


def test_the_page_says_so_in_both_languages(client, verifier, added):
    for language, title in (("en", "Valid document, with data added after signing"),
                            ("es", "Documento válido, con datos añadidos después de la firma")):
        kind, words, page = kit.over_the_page(client, verifier, added["empty_field"],
                                              language)
        assert kind == "valid" and title in words
        assert text("verify.summary.passed_added", language) in page
        assert text("verify.summary.passed", language) not in page
        kind, words, page = kit.over_the_page(client, verifier, added["validation_data"],
                                              language)
        assert kind == "valid"
        assert text("verify.verdict.valid_validation_data.title", language) in words
        assert text("verify.summary.passed_validation_data", language) in page


def test_the_page_never_calls_an_attack_valid(client, verifier, signed, signed_with_hidden):
    from tests.signing.verify.test_attack_incremental_saving import second_trailer

    for forged in (forgeries.incremental_saving(signed), forgeries.signature_wrapping(signed),
                   second_trailer(signed_with_hidden)):
        kind, _words, page = kit.over_the_page(client, verifier, forged)
        assert kind == "not_valid" and "NOT valid" in page
        assert "notice-success" not in page


def test_a_time_stamp_nobody_trusts_signs_no_addition(verifier, pki, signed, added):
    """Regression: validation data added, then a document time-stamp from an unknown
    authority over it: the file read as every byte signed, plainly valid. The signature
    still passes (an unusable time-stamp only adds nothing), with data added after it."""
    from tests.signing.verify.test_attack_cms import _untrusted_tsa

    writer = IncrementalPdfFileWriter(io.BytesIO(added["validation_data"]))
    stamped = signers.PdfTimeStamper(_untrusted_tsa(pki, samples.NOW)).timestamp_pdf(
        writer, "sha256").getvalue()
    report = verifier.verify(stamped)
    assert report.conclusion.passed and not report.document_timestamps[0].valid
    assert report.unsigned_additions
    assert report.summary("en") == text("verify.summary.passed_added", "en")
