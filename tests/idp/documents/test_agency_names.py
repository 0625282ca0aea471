"""An agency is named one way on the citizen's documents page and in a verification report
(`clients.registry.agency_name`, the rule of `clients.registry.localized.shown_name`): an
agency that registered no `client_name` is named by its site's host, never by its
client_id."""

from __future__ import annotations

import json

from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing import samples
from tests.signing.conftest import AGENCY, AGENCY_NAME

SITE = "https://registro.example.gov/"


def _forget_name(app) -> None:
    """The agency keeps its site (client_uri) but no longer has a registered client_name."""
    from clients.registry.models import Client
    from infra.db import get_db

    with get_db(app).transaction() as session:
        client = session.query(Client).filter_by(client_id=AGENCY).one()
        metadata = {k: v for k, v in client.client_metadata.items() if not k.startswith("client_name")}
        client.client_metadata = {**metadata, "client_uri": SITE}


def _issue(web, agency, sub: str) -> dict:
    token = agency_token(web, agency)
    payload = {"template": "residence", "data": samples.RESIDENCE, "subject": sub, "language": "en"}
    issued = web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                      headers=bearer(token))
    assert issued.status_code == 201, issued.get_json()
    return issued.get_json() | {"pdf": web.get(f"/api/documents/{issued.get_json()['id']}/pdf",
                                               headers=bearer(token)).data}


def test_the_documents_page_names_a_nameless_agency_by_its_site(web, docs_app, agency, signed_in):
    _, sub = signed_in
    _issue(web, agency, sub)
    assert AGENCY_NAME in web.get("/account/documents?lang=en").get_data(as_text=True)
    _forget_name(docs_app)
    page = web.get("/account/documents?lang=en").get_data(as_text=True)
    assert "registro.example.gov" in page
    assert f"<dd>{AGENCY}</dd>" not in page


def test_a_verification_report_names_a_nameless_agency_by_its_site(web, docs_app, agency,
                                                                    signed_in):
    _, sub = signed_in
    issued = _issue(web, agency, sub)
    _forget_name(docs_app)
    verified = web.post("/api/verify?lang=en", data=issued["pdf"],
                        headers={"Content-Type": "application/pdf"})
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["document"]["issuer"] == "registro.example.gov"
    found = web.get(f"/api/verify/{issued['csv']}?lang=en")  # the look-up by code
    assert found.status_code == 200, found.get_json()
    assert found.get_json()["document"]["issuer"] == "registro.example.gov"
