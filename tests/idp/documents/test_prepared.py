"""Documents an agency prepares for a citizen: API, "My documents", passkey signature."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from infra.config import get_settings
from tests.idp.conftest import post_json
from tests.idp.documents.conftest import agency_token, proof_in_person, register
from tests.idp.documents.test_citizen_signing import _challenge, _pdf
from tests.idp.oidc.conftest import bearer
from tests.signing.validation import lta, reader


def _prepare(web, token, **body):
    payload = {"file_name": "contrato.pdf", "pdf": base64.b64encode(_pdf("firma")).decode(),
               **body}
    return web.post("/api/documents/prepared", data=json.dumps(payload),
                    content_type="application/json", headers=bearer(token))


def _prepared(web, token, sub, **body) -> dict:
    response = _prepare(web, token, subject=sub, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _open(web, prepared_id: str) -> str:
    response = web.get(f"/account/sign/prepared/{prepared_id}")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return re.fullmatch(r"/account/sign/([\w-]+)", response.headers["Location"]).group(1)


def _expire(app, prepared_id: str) -> None:
    from idp.documents.models import PreparedDocument
    from infra.db import get_db

    with get_db(app).transaction() as session:
        session.get(PreparedDocument, prepared_id).expires_at = (
            datetime.now(UTC) - timedelta(minutes=1))


def _documents(app) -> int:
    from infra.db import get_db
    from signing.models import Document

    with get_db(app).read() as session:
        return session.query(Document).count()


def test_agency_prepares_the_citizen_signs_and_the_agency_downloads(web, agency, signed_in,
                                                                    docs_app):
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    original = _pdf("firma")  # not deterministic (the trailer's /ID): keep these bytes
    created = _prepared(web, token, sub, file_name="contrato de alquiler.pdf",
                        expires_in_days=30, pdf=base64.b64encode(original).decode())
    assert created["status"] == "waiting"
    assert created["sha256"] == hashlib.sha256(original).hexdigest()
    assert created["sign_url"] == f"http://localhost/account/sign/prepared/{created['id']}"
    assert re.fullmatch(r"[a-z2-7]{26}", created["id"])
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)

    page = web.get("/account/documents").get_data(as_text=True)
    assert "Esperan su firma" in page and "contrato de alquiler.pdf" in page
    assert f'href="/account/sign/prepared/{created["id"]}"' in page
    waiting = page[page.index('id="waiting"'):page.index("</section>")]
    assert agency.metadata["client_name"] in waiting and "contrato de alquiler.pdf" in waiting

    upload = _open(web, created["id"])
    review = web.get(f"/account/sign/{upload}").get_data(as_text=True)
    assert created["sha256"] in review and "contrato de alquiler.pdf" in review
    assert web.get(f"/account/sign/{upload}/pdf").data == original
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assert _challenge(options)[:32] == hashlib.sha256(original).digest()
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["signed_from"] == created["sha256"]

    status = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(token)).get_json()
    assert status["status"] == "signed" and status["signed_document_id"] == body["id"]
    assert status["download_url"] == f"http://localhost/api/documents/{body['id']}/pdf"
    signed = web.get(f"/api/documents/{body['id']}/pdf", headers=bearer(token))
    assert signed.status_code == 200 and signed.data.startswith(original)
    root = __import__("keys").get_service(docs_app).pki.material().root.certificate
    assert len(reader(signed.data).embedded_regular_signatures) == 1
    citizen = lta(signed.data, root, index=0).api_status
    assert citizen.intact and citizen.valid and citizen.trusted
    # The agency may not learn the national ID (no `national_id` scope): the certificate names
    # the citizen without it (tests/idp/documents/test_crossatk3_prepared_signature_national_id.py).
    assert "serial_number" not in citizen.signing_cert.subject.native

    assert "Esperan su firma" not in web.get("/account/documents").get_data(as_text=True)
    again = web.get(f"/account/sign/prepared/{created['id']}")
    assert again.status_code == 303
    assert again.headers["Location"] == f"/account/documents#doc-{body['id']}"
    withdrawn = web.delete(f"/api/documents/prepared/{created['id']}", headers=bearer(token))
    assert withdrawn.status_code == 409 and withdrawn.get_json()["error"] == "not_waiting"


def test_another_agency_sees_nothing(web, agency, signed_in, docs_app):
    _, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    other = agency_token(web, register(docs_app, client_id="otra-agencia"))
    for method in ("get", "delete"):
        response = getattr(web, method)(f"/api/documents/prepared/{created['id']}",
                                        headers=bearer(other))
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"
    assert web.get(f"/api/documents/prepared/{created['id']}",
                   headers=bearer(agency_token(web, agency))).get_json()["status"] == "waiting"


def test_another_citizen_cannot_open_it(web, agency, signed_in, docs_app):
    from tests.idp.conftest import another_citizen

    _, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    stranger, other = another_citizen(docs_app)
    proof_in_person(docs_app, other.citizen_id)  # may sign, just not this one
    assert stranger.get(f"/account/sign/prepared/{created['id']}").status_code == 404
    assert "Esperan su firma" not in stranger.get("/account/documents").get_data(as_text=True)


def test_a_withdrawn_document_cannot_be_signed(web, agency, signed_in, docs_app):
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    upload = _open(web, created["id"])  # the citizen opened it before the agency withdrew it
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()

    response = web.delete(f"/api/documents/prepared/{created['id']}", headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"

    confirm = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert confirm.status_code == 409
    assert confirm.get_json() == {
        "error": "document_withdrawn",
        "error_description": "La institución retiró este documento, así que ya no puede "
                             "firmarlo. No se firmó nada."}
    assert post_json(web, f"/account/sign/{upload}/options", {}).status_code == 409
    page = web.get(f"/account/sign/prepared/{created['id']}")
    assert page.status_code == 409 and "retiró" in page.get_data(as_text=True)
    assert "Esperan su firma" not in web.get("/account/documents").get_data(as_text=True)
    assert _documents(docs_app) == 0
    again = web.delete(f"/api/documents/prepared/{created['id']}", headers=bearer(token))
    assert again.status_code == 409 and again.get_json()["error"] == "not_waiting"


def test_an_expired_document_cannot_be_signed(web, agency, signed_in, docs_app):
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub, expires_in_days=1)
    upload = _open(web, created["id"])
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    _expire(docs_app, created["id"])

    confirm = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert confirm.status_code == 410
    assert confirm.get_json()["error"] == "document_expired"
    assert web.get(f"/account/sign/prepared/{created['id']}").status_code == 410
    assert "Esperan su firma" not in web.get("/account/documents").get_data(as_text=True)
    status = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(token))
    assert status.get_json()["status"] == "expired" and "signed_document_id" not in status.get_json()
    assert _documents(docs_app) == 0


def test_bad_base64_is_422(web, agency, signed_in):
    _, sub = signed_in
    response = _prepare(web, agency_token(web, agency), subject=sub, pdf="JVBERi0x*not base64")
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "invalid_data",
        "error_description": "pdf: not valid base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 "
                             "+ / with = padding)"}


def test_a_file_that_is_not_a_pdf_is_422(web, agency, signed_in):
    from signing.pdf_input import InvalidPdf

    _, sub = signed_in
    token = agency_token(web, agency)
    response = _prepare(web, token, subject=sub, pdf=base64.b64encode(b"hello, not a pdf").decode())
    assert response.status_code == 422
    assert response.get_json() == {"error": "invalid_document",
                                   "error_description": InvalidPdf("not_pdf").message("en")}
    broken = _prepare(web, token, subject=sub,
                      pdf=base64.b64encode(b"%PDF-1.7\n1 0 obj garbage").decode())
    assert broken.status_code == 422 and broken.get_json()["error"] == "invalid_document"


def test_a_pdf_above_the_document_limit_is_413(web, agency, signed_in, docs_app):
    from signing.service import get_documents

    _, sub = signed_in
    token = agency_token(web, agency)
    settings = get_documents(docs_app).settings
    original = settings.max_bytes
    object.__setattr__(settings, "max_bytes", 2048)
    try:
        response = _prepare(web, token, subject=sub,
                            pdf=base64.b64encode(_pdf() + b"%" + b"x" * 4096).decode())
    finally:
        object.__setattr__(settings, "max_bytes", original)
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "document_too_large" and "2 KB" in body["error_description"]


def test_a_body_above_the_server_limit_but_within_the_document_limit_is_read(web, agency,
                                                                            signed_in):
    _, sub = signed_in
    size = 2 * int(get_settings(web.application)["server"]["max_body_bytes"])
    pdf = base64.b64encode(b"%PDF-1.7\n" + b"0" * size).decode()
    response = _prepare(web, agency_token(web, agency), subject=sub, pdf=pdf)
    assert response.status_code == 422  # read and checked: damaged, not refused for its size
    assert response.get_json()["error"] == "invalid_document"


def test_unknown_subject_is_422(web, agency, signed_in):
    response = _prepare(web, agency_token(web, agency), subject="not-a-subject-of-this-client")
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "invalid_data",
        "error_description": "subject: no citizen is known to this client by this subject; use "
                             "the sub of the citizen's ID token for this client"}


@pytest.mark.parametrize(("body", "description"), [
    ({"expires_in_days": 0}, "expires_in_days: an integer from 1 to 90 is required"),
    ({"expires_in_days": 91}, "expires_in_days: an integer from 1 to 90 is required"),
    ({"expires_in_days": True}, "expires_in_days: an integer from 1 to 90 is required"),
    ({"file_name": ""}, "file_name: a non-empty string is required"),
    ({"pdf": None}, "pdf: the PDF is required, base64-encoded (RFC 4648 section 4)"),
    ({"template": "x"}, "template: this member is not accepted; send subject, file_name, pdf "
                        "and optionally expires_in_days"),
])
def test_bad_members_are_422(web, agency, signed_in, body, description):
    _, sub = signed_in
    response = _prepare(web, agency_token(web, agency), subject=sub, **body)
    assert response.status_code == 422
    assert response.get_json() == {"error": "invalid_data", "error_description": description}


def test_the_api_needs_a_documents_token(web, agency, signed_in):
    _, sub = signed_in
    response = web.post("/api/documents/prepared", data=json.dumps({"subject": sub}),
                        content_type="application/json")
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"
    assert web.get("/api/documents/prepared/abcdefghijklmnop").status_code == 401


def test_openapi_describes_the_prepared_documents_api(web):
    spec = web.get("/openapi.json").get_json()
    assert set(spec["paths"]["/api/documents/prepared/{id}"]) == {"get", "delete"}
    assert "201" in spec["paths"]["/api/documents/prepared"]["post"]["responses"]
    assert "PrepareRequest" in spec["components"]["schemas"]


def test_a_prepared_form_is_normalised_before_the_citizen_sees_it(web, agency, signed_in,
                                                                   docs_app):
    """Issue 13: agency-prepared documents are cleaned like uploads; the agency is told what
    was removed and the hash of what the citizen will sign."""
    from signing.normalise import findings
    from tests.signing.test_normalise import _reader, shadow_form

    enrolled, sub = signed_in
    original = shadow_form()
    created = _prepared(web, agency_token(web, agency), sub,
                        pdf=base64.b64encode(original).decode())
    assert created["original_sha256"] == hashlib.sha256(original).hexdigest()
    assert created["normalised"] == ["form_fields", "need_appearances", "earlier_revisions"]
    assert created["sha256"] != created["original_sha256"]
    upload = _open(web, created["id"])
    shown = web.get(f"/account/sign/{upload}/pdf").data
    assert hashlib.sha256(shown).hexdigest() == created["sha256"]
    assert findings(_reader(shown)) == [] and b"9999" not in shown
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    assert _challenge(options)[:32] == hashlib.sha256(shown).digest()
    body = post_json(web, f"/account/sign/{upload}/confirm",
                     enrolled.key.authenticate(options)).get_json()
    assert body["signed_from"] == created["sha256"]


def _withdraw(app, prepared_id: str) -> None:
    from idp.documents.models import PreparedDocument
    from infra.db import get_db

    with get_db(app).transaction() as session:
        session.get(PreparedDocument, prepared_id).status = "withdrawn"


@pytest.mark.parametrize(("change", "status", "error", "description"), [
    (_withdraw, 409, "document_withdrawn",
     "La institución retiró este documento mientras lo firmaba. No se firmó ni se guardó nada; "
     "si aún necesita firmarlo, pida a la institución que le envíe uno nuevo."),
    (_expire, 410, "document_expired",
     "Se acabó el plazo para firmar este documento mientras lo firmaba. No se firmó ni se "
     "guardó nada; pida a la institución que se lo envíe de nuevo."),
])
def test_a_document_withdrawn_or_expired_while_being_signed_is_not_stored(
        web, agency, signed_in, docs_app, monkeypatch, change, status, error, description):
    """The check before the signature passed; the agency withdrew it (or it expired) while
    the signature was being made: nothing is stored, and the citizen is told what to do."""
    from idp.documents import pages
    from signing.service import get_documents

    enrolled, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    upload = _open(web, created["id"])
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    made = []
    sign_pdf = pages.citizen_signature.sign_pdf

    def sign_while_it_changes(*args, **kwargs):
        signed = sign_pdf(*args, **kwargs)
        made.append(signed)
        change(docs_app, created["id"])
        return signed

    monkeypatch.setattr(pages.citizen_signature, "sign_pdf", sign_while_it_changes)
    confirm = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert confirm.status_code == status
    assert confirm.get_json() == {"error": error, "error_description": description}
    assert len(made) == 1 and not get_documents(docs_app).store.exists(
        hashlib.sha256(made[0].pdf).hexdigest())
    assert _documents(docs_app) == 0
    agency_view = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(token))
    assert agency_view.get_json()["status"] in ("withdrawn", "expired")
    assert "signed_document_id" not in agency_view.get_json()
