"""The verification API's OpenAPI description matches what its endpoints do: every answer an
endpoint gives is one its operation lists (status, `error` code named in the description, body
schema, headers), and every answer listed is one the endpoint gives. Its errors said only
"Error.", named no code, and declared no Retry-After on 429 and 503."""

from __future__ import annotations

import io
from dataclasses import replace

from signing.verify.errors import VerifierBusy
from signing.verify.service import get_verification
from tests.signing.verify import forgeries, samples
from tests.support.openapi import check_answers, undocumented

RETRY_AFTER = ("429", "503")  # both carry one here
UNKNOWN, MISTYPED = "7KQ4-M2XH-9PRT-WC3N-B8DA", "7KQ4-M2XH-9PRT-WC3N-B8DZ"


def _pdf(client, data: bytes, content_type: str = "application/pdf"):
    return client.post("/api/verify?lang=en", data=data, headers={"Content-Type": content_type})


def _upload_answers(app, pki, monkeypatch) -> list:
    client = app.test_client()
    service = get_verification(app)
    limit = service.settings.max_bytes
    bomb = forgeries.object_stream_bomb(samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki)))
    answers = [_pdf(client, samples.blank_pdf()),  # 200
               _pdf(client, b""),  # 400 empty_file
               client.post("/api/verify", content_type="multipart/form-data", data={}),  # 400
               _pdf(client, b"%PDF-1.7\n" + b" " * (limit + 70 * 1024)),  # 413 request_too_large
               client.post("/api/verify", content_type="multipart/form-data", data={  # 413 file_too_large
                   "file": (io.BytesIO(b"%PDF-1.7\n" + b" " * limit), "big.pdf")}),
               _pdf(client, b"not a pdf"),  # 415 not_pdf
               _pdf(client, b"{}", "application/json"),  # 415 unsupported_media_type
               _pdf(client, b"%PDF-1.7\n1 0 obj"),  # 422 damaged_pdf
               _pdf(client, samples.blank_pdf(encrypt=True)),  # 422 encrypted_pdf
               _pdf(client, bomb)]  # 422 document_too_complex

    def busy():
        raise VerifierBusy("Too many verifications are running; try again in a few seconds.")

    with monkeypatch.context() as patched:
        patched.setattr(service.verifier.slots, "take", busy)
        answers.append(_pdf(client, samples.blank_pdf()))  # 503 temporarily_unavailable
    with monkeypatch.context() as patched:
        patched.setattr(service, "settings", replace(service.settings, attempts=0))
        answers.append(_pdf(client, samples.blank_pdf()))  # 429 too_many_requests
    return answers


def _lookup_answers(app, csv: str, monkeypatch) -> list:
    from idp.schema import SCHEMA
    from infra.db import Database
    from tests.support.ports import free_port

    client = app.test_client()
    service = get_verification(app)
    answers = [client.get(f"/api/verify/{csv}?lang=en"),  # 200
               client.get(f"/api/verify/{MISTYPED}?lang=en"),  # 400 invalid_code
               client.get(f"/api/verify/{UNKNOWN}?lang=en")]  # 404 not_found
    dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
    with monkeypatch.context() as patched:
        patched.setattr(service, "database", dead)
        answers.append(client.get(f"/api/verify/{csv}?lang=en"))  # 503 temporarily_unavailable
    dead.dispose()
    with monkeypatch.context() as patched:
        patched.setattr(service, "settings", replace(service.settings, lookups=0))
        answers.append(client.get(f"/api/verify/{csv}?lang=en"))  # 429 too_many_requests
    return answers


def test_every_verification_answer_is_described_and_every_description_answered(pki_app, pki, issued,
                                                                               monkeypatch):
    document = pki_app.test_client().get("/openapi.json").get_json()
    errors = check_answers(document, "post", "/api/verify", _upload_answers(pki_app, pki, monkeypatch),
                           retry_after=RETRY_AFTER)
    errors |= check_answers(document, "get", "/api/verify/{csv}",
                            _lookup_answers(pki_app, issued[0].csv, monkeypatch), retry_after=RETRY_AFTER)
    assert errors >= {"invalid_code", "not_found", "empty_file", "not_pdf", "damaged_pdf", "encrypted_pdf",
                      "document_too_complex", "request_too_large", "too_many_requests",
                      "temporarily_unavailable"}
    # ... and the guide's table of errors tells an agency developer what to do about each one.
    assert undocumented(errors) == set(), ("not in docs/agencies.md's errors table", undocumented(errors))
