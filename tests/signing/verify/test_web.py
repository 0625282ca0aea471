"""The /verify pages, the JSON API, revocation and `cedula verify`, on documents the service
issued with its own PKI (the session PKI of `tests/signing/conftest.py`)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from infra.db import get_db
from signing.verify import document_revocation
from signing.verify.service import get_verification
from tests.signing.verify import forgeries, samples
from tests.support.cli import cedula


def _pdf(client, data: bytes):
    return client.post("/api/verify", data=data, headers={"Content-Type": "application/pdf"})


def test_issued_document_by_code(pki_app, issued):
    document, _ = issued
    client = pki_app.test_client()
    body = client.get(f"/api/verify/{document.csv}?lang=en").get_json()
    assert body["indication"] == "TOTAL-PASSED" and body["sub_indication"] is None
    assert body["document"]["status"] == "valid" and body["document"]["matched_by"] == "csv"
    assert body["document"]["csv"] == document.csv
    sig = body["signatures"][0]
    assert sig["level"] == document.level and sig["revocation"]["status"] == "good"
    assert "Root CA" in sig["trust_anchor"]["subject"]


def test_upload_matches_by_hash_and_appended_revision(pki_app, issued):
    document, pdf = issued
    client = pki_app.test_client()
    body = _pdf(client, pdf).get_json()
    assert body["indication"] == "TOTAL-PASSED"
    assert body["document"]["matched_by"] == "hash"
    forged = _pdf(client, forgeries.incremental_saving(pdf)).get_json()
    assert (forged["indication"], forged["sub_indication"]) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert forged["document"]["matched_by"] == "revision"
    multipart = client.post("/api/verify", data={"file": (io.BytesIO(pdf), "a.pdf")},
                            content_type="multipart/form-data")
    assert multipart.get_json()["file"]["sha256"] == document.sha256


def test_revoked_document_stays_cryptographically_valid(pki_app, issued):
    document, _ = issued
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    change = document_revocation.revoke(get_db(pki_app), document_id=document.id,
                               reason="Datos erróneos", now=when)
    assert change.status == "revoked"
    body = pki_app.test_client().get(f"/api/verify/{document.csv}").get_json()
    assert body["indication"] == "TOTAL-PASSED"
    assert body["document"]["status"] == "revoked"
    assert body["document"]["revoked_at"] == "2030-01-02T03:04:05Z"
    assert body["document"]["reason"] == "Datos erróneos"
    with pytest.raises(document_revocation.RevocationRefused):
        document_revocation.revoke(get_db(pki_app), document_id=document.id,
                          reason="again", now=when)
    page = pki_app.test_client().get(f"/verify/{document.csv}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and b"Revoked by the issuing agency" in page.data


def test_revoke_refuses_other_agency_and_empty_reason(pki_app, issued):
    document, _ = issued
    database = get_db(pki_app)
    with pytest.raises(document_revocation.IssuedDocumentNotFound):
        document_revocation.revoke(database, document_id=document.id, reason="x",
                          now=datetime.now(UTC), client_id="hacienda")
    with pytest.raises(document_revocation.InvalidReason):
        document_revocation.revoke(database, document_id=document.id, reason="  ", now=datetime.now(UTC))


def test_pages_and_original(pki_app, issued):
    document, pdf = issued
    client = pki_app.test_client()
    index = client.get("/verify")
    assert index.status_code == 200 and b'<label for="code">' in index.data
    assert b"style=" not in index.data
    # no inline script: only the site's own files (the page works without them)
    assert all(b" src=" in tag for tag in re.findall(rb"<script[^>]*>", index.data))
    assert client.get(f"/verify?code={document.csv.lower()}").status_code == 303
    page = client.get(f"/verify/{document.csv}")
    assert page.status_code == 200 and document.csv.encode() in page.data
    assert f'href="/verify/{document.csv}/pdf" download'.encode() in page.data  # the original, offered
    original = client.get(f"/verify/{document.csv}/pdf")
    assert original.data == pdf and original.mimetype == "application/pdf"
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    upload = client.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(pdf), "d.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and b"notice-success" in upload.data
    no_token = client.post("/verify", data={"file": (io.BytesIO(pdf), "d.pdf")},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400


def test_unknown_code_reveals_nothing_and_guessing_is_limited(client):
    """A well-formed unknown code is a possible forgery; a mistyped one is bad input. Neither
    says anything about any document (the check symbol is public arithmetic)."""
    unknown = client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DA?lang=en")
    mistyped = client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DZ?lang=en")
    assert (unknown.status_code, mistyped.status_code) == (404, 400)
    body = unknown.get_json()
    assert (body["error"], body["error_description"]) == (
        "not_found", "No document has this verification code.")
    assert (body["verdict"], body["possible_forgery"]) == ("not_found", True)
    assert body["report_url"].endswith("/verify/7KQ4-M2XH-9PRT-WC3N-B8DA#report")
    assert body["contact"]["email"] and body["advice"]["title"] == "Possible forged document"
    wrong = mistyped.get_json()
    assert (wrong["error"], wrong["verdict"], wrong["possible_forgery"]) == (
        "invalid_code", "malformed_code", False)
    assert "report_url" not in wrong
    limit = get_verification(client.application).settings.failed_lookups
    statuses = [client.get("/api/verify/0000-0000-0000-0000-0000").status_code
                for _ in range(limit)]
    assert statuses[-1] == 429
    limited = client.get("/verify/0000")
    assert limited.status_code == 429 and limited.headers["Retry-After"]


@pytest.mark.parametrize(("data", "status", "error"), [
    (b"", 400, "empty_file"),
    (b"not a pdf", 415, "not_pdf"),
    (b"%PDF-1.7\n1 0 obj", 422, "damaged_pdf"),
])
def test_api_bad_input(client, data, status, error):
    response = _pdf(client, data)
    assert (response.status_code, response.get_json()["error"]) == (status, error)


def test_api_oversized_and_wrong_type(client):
    limit = get_verification(client.application).settings.max_bytes
    big = _pdf(client, b"%PDF-1.7\n" + b" " * (limit + 70 * 1024))
    assert big.status_code == 413 and big.get_json()["error"] == "request_too_large"
    wrong = client.post("/api/verify", data=b"{}", headers={"Content-Type": "application/json"})
    assert (wrong.status_code, wrong.get_json()["error"]) == (415, "unsupported_media_type")


def test_an_oversized_upload_on_the_page_is_the_form_again_saying_what_to_do(client):
    """The page's upload past the limit was the generic 413 page ("go back"), away from the
    form; now the form again, its file field marked and saying what to do, and the field's hint
    names the largest file taken, as the citizen's language writes sizes."""
    limit = get_verification(client.application).settings.max_bytes
    index = client.get("/verify?lang=es")
    page = index.get_data(as_text=True)
    assert "de hasta 20 MB" in page or re.search(r"de hasta \d+(,\d)? [KM]?B", page)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    big = client.post("/verify?lang=es", data={"csrf_token": token,
                                               "file": (io.BytesIO(b"%PDF-1.7\n" + b" " * (limit + 70 * 1024)),
                                                        "big.pdf")},
                      content_type="multipart/form-data")
    text = big.get_data(as_text=True)
    assert big.status_code == 413
    assert 'id="file"' in text and 'aria-invalid="true"' in text
    assert "demasiado grande" in text and "código de verificación" in text


def test_cli_exit_codes(pki_app, issued, tmp_path):
    document, pdf = issued
    files = {"good.pdf": pdf, "forged.pdf": forgeries.incremental_saving(pdf),
             "unsigned.pdf": samples.blank_pdf(), "junk.pdf": b"junk"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    results = {name: cedula(pki_app, "verify", str(tmp_path / name)) for name in files}
    assert {name: r.exit_code for name, r in results.items()} == {
        "good.pdf": 0, "forged.pdf": 1, "unsigned.pdf": 2, "junk.pdf": 3}
    assert "TOTAL-PASSED" in results["good.pdf"].output
    assert cedula(pki_app, "verify", str(tmp_path / "missing.pdf")).exit_code == 3
    as_json = cedula(pki_app, "verify", "--json", "--lang", "en", str(tmp_path / "good.pdf"))
    import json

    body = json.loads(as_json.output)
    api = pki_app.test_client().post("/api/verify?lang=en", data=pdf,
                                     headers={"Content-Type": "application/pdf"}).get_json()
    assert body.keys() == api.keys()
    assert body["signatures"] == api["signatures"] and body["indication"] == api["indication"]
    assert body["document"]["csv"] == document.csv


def test_cli_verifies_with_the_verification_app_alone(pki_app, issued, tmp_path):
    """`cedula verify` builds only the verification parts (signing.verify.command, no app): the
    same report as the API of the whole app, the issued document found."""
    from tests.signing.verify.command_report import command_and_api

    document, pdf = issued
    body, api = command_and_api(pki_app, tmp_path / "good.pdf", pdf)
    assert body["signatures"] == api["signatures"] and body["indication"] == api["indication"]
    assert body["document"]["csv"] == document.csv


def test_cli_revoke(pki_app, issued):
    from idp.cli import Context
    from signing.verify.cli import revoke_command

    document, _ = issued
    context = Context(app=pki_app)
    result = CliRunner().invoke(revoke_command, [document.id, "--reason", "Emitido por error"],
                                obj=context)
    assert result.exit_code == 0, result.output
    assert "revoked" in result.output
    again = CliRunner().invoke(revoke_command, [document.id, "--reason", "x"], obj=context)
    assert again.exit_code == 1 and "already revoked" in again.output


def test_withdrawn_document_is_said_first_everywhere(pki_app, issued, tmp_path):
    """Issue 13: a revoked or superseded document has its own machine-readable field and CLI
    exit code, and the page says it before any green box."""
    document, pdf = issued
    document_revocation.revoke(get_db(pki_app), document_id=document.id,
                      reason="Datos erróneos", now=datetime.now(UTC))
    client = pki_app.test_client()
    body = _pdf(client, pdf).get_json()
    assert body["indication"] == "TOTAL-PASSED" and body["document_status"] == "revoked"
    assert body["summary"].startswith("ATENCIÓN: la institución emisora REVOCÓ")
    path = tmp_path / "revoked.pdf"
    path.write_bytes(pdf)
    result = cedula(pki_app, "verify", str(path))
    assert result.exit_code == 4, result.output
    assert result.output.startswith("DOCUMENT REVOKED BY ITS ISSUER")
    page = client.get(f"/verify/{document.csv}").get_data(as_text=True)
    alert = page.index('id="withdrawn"')
    assert "notice-success" not in page[:alert] and "notice-success" not in page
    fresh = _pdf(client, forgeries.incremental_saving(pdf)).get_json()
    assert fresh["indication"] == "TOTAL-FAILED"  # a forgery stays a forgery (exit 1)


def test_a_file_with_more_objects_than_its_size_explains_is_422_with_a_sentence(client, pki):
    """The API answers `document_too_complex` with a description, the page a sentence of what
    to do next in the visitor's language (the file is refused, not INDETERMINATE after 20 s)."""
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    bomb = forgeries.object_stream_bomb(signed)
    api = client.post("/api/verify?lang=en", data=bomb,
                      headers={"Content-Type": "application/pdf"})
    assert api.status_code == 422 and api.get_json()["error"] == "document_too_complex"
    assert "objects" in api.get_json()["error_description"]
    index = client.get("/verify?lang=es")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    page = client.post("/verify?lang=es", data={"file": (io.BytesIO(bomb), "a.pdf"),
                                                "csrf_token": token},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert "código de verificación" in page.get_data(as_text=True)


def test_the_page_tells_what_else_a_signed_file_holds(client, pki):
    from tests.signing.verify.test_attacks import _with_active_content

    pdf = samples.sign(_with_active_content(samples.blank_pdf()), samples.signer_for(pki.signer, pki))
    index = client.get("/verify?lang=es")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    page = client.post("/verify?lang=es", data={"file": (io.BytesIO(pdf), "a.pdf"),
                                                "csrf_token": token},
                       content_type="multipart/form-data")
    body = page.get_data(as_text=True)
    assert 'id="active-content"' in body
    assert "JavaScript" in body and "Archivos adjuntos" in body


def test_a_stored_original_replaced_on_disk_is_not_reported_as_the_document(pki_app, issued,
                                                                           documents, citizen):
    """The code's page reported whatever file lay under the document's digest, with the
    document's title, agency and status, and offered it for download as the original."""
    from tests.signing.verify.issued import issue_residence

    document, _pdf = issued
    _other, other_pdf = issue_residence(documents, citizen)
    documents.store.path(document.sha256).write_bytes(other_pdf)
    client = pki_app.test_client()
    assert client.get(f"/verify/{document.csv}/pdf").data != other_pdf
    body = client.get(f"/api/verify/{document.csv}?lang=en")
    assert body.status_code == 404 and body.get_json()["error"] == "not_found"
    page = client.get(f"/verify/{document.csv}")
    assert b"notice-success" not in page.data
