"""Documents prepared for a citizen who withdrew the agency's access (consent basis).

A signed prepared document goes back to the agency with the citizen's certificate in it
(register name and national ID): it is released only while the citizen's consent to that
agency stands, as an issued document is (`idp.documents.api.may_name`)."""

from __future__ import annotations

from infra.db import get_db
from tests.idp.conftest import post_json
from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_citizen_signing import confirm_with_change_while_signing
from tests.idp.documents.test_prepared import _documents, _open, _prepare, _prepared
from tests.idp.documents.test_revocation_and_log import _log
from tests.idp.oidc.conftest import bearer


def _revoke(web, client_id: str) -> None:
    from tests.idp.consent.test_revocation import revoke

    assert revoke(web, client_id).status_code == 303


def test_an_agency_cannot_prepare_a_document_for_a_citizen_who_withdrew_consent(
        web, docs_app, agency, signed_in):
    """Before: 201; the agency could still turn the pairwise sub into a signature naming the
    citizen after the citizen withdrew its access."""
    from idp.documents.models import PreparedDocument

    _, sub = signed_in
    token = agency_token(web, agency)
    _revoke(web, agency.client_id)
    refused = _prepare(web, token, subject=sub)
    assert refused.status_code == 403, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["error"] == "consent_required" and "consent" in body["error_description"]
    with get_db(docs_app).read() as session:
        assert session.query(PreparedDocument).count() == 0


def test_a_document_prepared_before_the_consent_was_withdrawn_is_not_signed_for_the_agency(
        web, docs_app, agency, signed_in):
    """Before: the citizen's signature was made, stored and handed to the agency (and logged
    as released on the basis of a consent that had been withdrawn)."""
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    upload = _open(web, created["id"])
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    _revoke(web, agency.client_id)
    before = _log(docs_app, enrolled.citizen_id)
    confirm = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    # The withdrawal declined the document (same transaction): nothing is signed, and the
    # citizen is told why.
    assert confirm.status_code == 409, confirm.get_data(as_text=True)
    assert confirm.get_json() == {
        "error": "document_declined",
        "error_description": "Usted retiró su consentimiento a esta institución, así que este "
                             "documento ya no se puede firmar. No se firmó nada; si quiere "
                             "firmarlo, vuelva a iniciar sesión en la institución y pídale que "
                             "se lo envíe de nuevo."}
    assert _documents(docs_app) == 0 and _log(docs_app, enrolled.citizen_id) == before
    status = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(token)).get_json()
    assert status["status"] == "declined" and "signed_document_id" not in status
    for path in (f"/account/sign/{upload}/options",):
        again = post_json(web, path, {})
        assert again.status_code == 409 and again.get_json()["error"] == "document_declined"
    page = web.get(f"/account/sign/prepared/{created['id']}")
    assert page.status_code == 409 and "consentimiento" in page.get_data(as_text=True)


def test_consent_withdrawn_while_signing_stores_nothing(web, docs_app, agency, signed_in,
                                                        monkeypatch):
    """The check before the signature passed; the citizen withdrew the agency's access while
    the signature was being made: checked again in the transaction that would store it."""
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    upload = _open(web, created["id"])
    confirm = confirm_with_change_while_signing(web, monkeypatch, upload, enrolled.key,
                                                lambda: _revoke(web, agency.client_id))
    assert confirm.status_code == 403, confirm.get_data(as_text=True)
    assert confirm.get_json()["error"] == "consent_required"
    assert _documents(docs_app) == 0
    status = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(token)).get_json()
    assert status["status"] == "declined"  # by the withdrawal


def test_withdrawing_consent_declines_what_the_agency_was_waiting_for(web, docs_app, agency, signed_in):
    """Before: the documents stayed `waiting` (the agency saw them pending, the citizen saw
    them under "Esperan su firma" and could not sign). Now they are `declined` in the same
    transaction as the withdrawal; documents of other agencies, and signed ones, stay."""
    from idp.documents.models import PreparedDocument

    _, sub = signed_in
    token = agency_token(web, agency)
    waiting = _prepared(web, token, sub)
    withdrawn = _prepared(web, token, sub)
    assert web.delete(f"/api/documents/prepared/{withdrawn['id']}", headers=bearer(token)).status_code == 200
    _revoke(web, agency.client_id)
    status = web.get(f"/api/documents/prepared/{waiting['id']}", headers=bearer(token)).get_json()
    assert status["status"] == "declined", status
    with get_db(docs_app).read() as session:
        rows = {row.id: row.status for row in session.query(PreparedDocument)}
    assert rows == {waiting["id"]: "declined", withdrawn["id"]: "withdrawn"}
    assert waiting["id"] not in web.get("/account/documents").get_data(as_text=True)
    page = web.get(f"/account/sign/prepared/{waiting['id']}")
    assert page.status_code == 409 and "consentimiento" in page.get_data(as_text=True)
    assert web.delete(f"/api/documents/prepared/{waiting['id']}", headers=bearer(token)).status_code == 409
