"""The civil registry portal's documents page against a live `cedula serve` (embedded default):
issue a birth certificate for the signed-in citizen with the portal's client credentials, then
list it with its status through `GET /api/documents/{id}` and hand over the sealed PDF."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from clients.portal.component import get_portal
from tests.conftest import Backend
from tests.idp.conftest import dui
from tests.support.live import Citizen, live_server

PORTAL = "https://registro.example.gov"  # never contacted: the test drives the portal in-process


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(Backend("embedded", "", ""), tmp_path_factory.mktemp("documents-page")) as running:
        yield running


@pytest.fixture(scope="module")
def portal(server):
    from clients.portal.app import create_portal
    from clients.portal.config import PortalConfig
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db
    from keys import get_service, issue_seal_certificate

    metadata = {"client_name": "Registro Civil", "redirect_uris": [f"{PORTAL}/callback"],
                "scope": "openid profile documents:issue", "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
                "security_profile": "oidc"}
    with get_db(server.app).transaction() as session:
        registration = register_client(session, metadata=metadata, permissions=Permissions(operator=True),
                                       fetch_sector=lambda uri: metadata["redirect_uris"])
        client_id, secret = registration.client.client_id, registration.client_secret
    service = get_service(server.app)
    if not service.pki.initialised():
        service.pki.init(datetime.now(UTC))
    issue_seal_certificate(service, client_id=client_id, organization_name="Registro Civil",
                           organization_identifier="VATSV-0614-010101-001-1")
    return create_portal(PortalConfig(name="Registro Civil", base_url=PORTAL, issuer=server.base,
                                      client_id=client_id, client_secret=secret, scopes=("openid", "profile"),
                                      can_issue_documents=True))


def _sign_in(server, portal, **person):
    citizen = Citizen(server, **person)
    browser = portal.test_client()
    answer = citizen.authorize(browser.get("/login").headers["Location"], f"{PORTAL}/callback")
    assert browser.get("/callback?" + urlencode(answer)).status_code == 303
    return browser


def test_issue_then_list_and_download_the_citizens_document(server, portal):
    browser = _sign_in(server, portal, given_name="Luis", family_name="Mena", national_id="00000019-9")
    empty = browser.get("/documents", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'id="documents-none"' in empty
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', empty).group(1)
    issued = browser.post("/documents/birth", data={"csrf_token": csrf}, headers={"Accept-Language": "es"})
    assert issued.status_code == 303, issued.get_data(as_text=True)[:800]

    page = browser.get("/documents", headers={"Accept-Language": "es"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:800]
    document_id = re.search(r'data-document="([^"]+)"', html).group(1)
    assert '<dd class="status">Válido</dd>' in html
    assert re.search(r'<dd class="csv">[^<]+</dd>', html)
    assert " de 20" in html  # the issue date in words, in Spanish
    assert f'href="/documents/{document_id}.pdf"' in html
    assert "<h2>Certificado de nacimiento</h2>" in html
    # Issued in Spanish, named in the reader's language (the API's `titles`).
    english = browser.get("/documents", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h2>Birth certificate</h2>" in english

    pdf = browser.get(f"/documents/{document_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")

    # Another citizen of the same portal sees none of it, and cannot fetch it by its id.
    other = _sign_in(server, portal, given_name="Ana", family_name="Ruiz", national_id=dui(7730451))
    assert 'id="documents-none"' in other.get("/documents").get_data(as_text=True)
    assert other.get(f"/documents/{document_id}.pdf").status_code == 404


def test_a_document_the_provider_does_not_know_is_a_sentence_and_a_503_not_a_crash(server, portal):
    from clients.portal.documents import Issued

    browser = _sign_in(server, portal, given_name="Eva", family_name="Paz", national_id=dui(5550123))
    current = get_portal(portal).sessions.get(_session_key(browser))
    current.issued.append(Issued(id="no-such-document", csv="X", verify_url="/verify"))
    page = browser.get("/documents")
    assert page.status_code == 503 and 'id="documents-unavailable"' in page.get_data(as_text=True)


def _session_key(browser):
    with browser.session_transaction() as cookie:
        return cookie["portal_session"]
