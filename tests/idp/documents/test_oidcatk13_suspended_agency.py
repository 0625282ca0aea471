"""A document prepared by an agency that an operator then suspended (disabled) is not signed.

A suspended agency is typically one whose keys or staff were compromised: what it prepared may
not be what the agency meant, and the signed PDF (the citizen's certificate in it) would go back
to it. While it is suspended the citizen cannot open, approve or store a signature of what it
prepared (403 `agency_suspended`, a page saying why and what to do); the document stays
`waiting` (until it expires), so it can be signed once the operator enables the agency again.
Before: `prepared_page._consented` read the client with `enabled_only=False`, and the
citizen's signature was made, stored and linked for the suspended agency."""

from __future__ import annotations

from clients.registry.services import set_enabled
from infra.db import get_db
from tests.idp.conftest import post_json
from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_citizen_signing import confirm_with_change_while_signing
from tests.idp.documents.test_prepared import _documents, _open, _prepared

SUSPENDED_ES = ("El operador de Cédula ha suspendido a esta institución, así que por ahora no "
                "puede firmar lo que le envió y no se firmó nada. El documento le seguirá "
                "esperando hasta su fecha límite: si la institución vuelve a estar habilitada, "
                "podrá firmarlo entonces. Si lo necesita antes, póngase en contacto con la "
                "institución por otro medio.")
SUSPENDED_EN = ("The Cédula operator has suspended this agency, so for now you cannot sign what "
                "it sent you, and nothing was signed. The document keeps waiting for you until "
                "its deadline: if the agency is enabled again, you can sign it then. If you need "
                "it sooner, contact the agency another way.")


def _enable(app, client_id: str, enabled: bool) -> None:
    with get_db(app).transaction() as session:
        set_enabled(session, client_id, enabled=enabled)


def _status(app, prepared_id: str) -> str:
    from idp.documents.models import PreparedDocument

    with get_db(app).read() as session:
        return session.get(PreparedDocument, prepared_id).status


def test_the_page_refuses_a_document_of_a_suspended_agency_and_it_waits(web, docs_app, agency,
                                                                       signed_in):
    _, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    _enable(docs_app, agency.client_id, False)
    page = web.get(f"/account/sign/prepared/{created['id']}")
    assert page.status_code == 403, page.get_data(as_text=True)[:400]
    assert SUSPENDED_ES in page.get_data(as_text=True)
    english = web.get(f"/account/sign/prepared/{created['id']}", headers={"Accept-Language": "en"})
    assert english.status_code == 403 and SUSPENDED_EN in english.get_data(as_text=True)
    assert _status(docs_app, created["id"]) == "waiting"
    _enable(docs_app, agency.client_id, True)  # re-enabled: the same document can be signed
    _open(web, created["id"])


def test_a_document_opened_before_the_suspension_is_not_approved_nor_signed(web, docs_app, agency,
                                                                            signed_in):
    enrolled, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    upload = _open(web, created["id"])
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    _enable(docs_app, agency.client_id, False)
    again = post_json(web, f"/account/sign/{upload}/options", {})
    assert again.status_code == 403
    assert again.get_json() == {"error": "agency_suspended", "error_description": SUSPENDED_ES}
    confirm = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert confirm.status_code == 403
    assert confirm.get_json() == {"error": "agency_suspended", "error_description": SUSPENDED_ES}
    assert _documents(docs_app) == 0 and _status(docs_app, created["id"]) == "waiting"


def test_an_agency_suspended_while_the_signature_is_made_gets_nothing_stored(
        web, docs_app, agency, signed_in, monkeypatch):
    enrolled, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    upload = _open(web, created["id"])
    confirm = confirm_with_change_while_signing(
        web, monkeypatch, upload, enrolled.key,
        lambda: _enable(docs_app, agency.client_id, False), **{"Accept-Language": "en"})
    assert confirm.status_code == 403, confirm.get_data(as_text=True)
    assert confirm.get_json() == {"error": "agency_suspended", "error_description": SUSPENDED_EN}
    assert _documents(docs_app) == 0 and _status(docs_app, created["id"]) == "waiting"


def _delete(app, client_id: str) -> None:
    """RFC 7592 section 2.3, as DELETE /register/{client_id} or the operator's CLI do it."""
    from clients.registry.services import delete_client, find_client

    with app.app_context(), get_db(app).transaction() as session:
        delete_client(session, find_client(session, client_id, enabled_only=False))


def test_a_deleted_registration_leaves_nothing_waiting_to_come_back_to(web, docs_app, agency,
                                                                     signed_in):
    """Deleting a registration disables the client (so a suspension, to the citizen) but ends
    what it started: an operator who enables the client again brings back none of its grants
    (`delete_client`), nor what it prepared. Before: the documents stayed `waiting`, listed to
    the citizen, and became signable for the client enabled again (before the suspension check,
    signable while deleted, too)."""
    from tests.idp.oidc.conftest import bearer

    _, sub = signed_in
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    _delete(docs_app, agency.client_id)
    assert _status(docs_app, created["id"]) == "withdrawn"
    assert created["id"] not in web.get("/account/documents").get_data(as_text=True)
    from clients.registry.services import rotate_secret, set_enabled

    with get_db(docs_app).transaction() as session:  # the operator brings it back, new secret
        agency.secret = rotate_secret(session, set_enabled(session, agency.client_id, enabled=True))
    page = web.get(f"/account/sign/prepared/{created['id']}")
    assert page.status_code == 409, page.get_data(as_text=True)[:400]
    assert "La institución retiró este documento, así que ya no puede firmarlo." in page.get_data(as_text=True)
    status = web.get(f"/api/documents/prepared/{created['id']}", headers=bearer(agency_token(web, agency)))
    assert status.get_json()["status"] == "withdrawn"
