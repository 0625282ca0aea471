"""The demo portal as a FAPI 2.0 client (clients/portal/fapi.py) against a live `cedula serve`:
PAR, DPoP-bound tokens, private_key_jwt; the citizen's part played with a software passkey."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc.jwk import ECKey

from clients.portal.component import get_portal
from tests.support.live import Citizen, live_server

PORTAL = "https://registro.example.gov"  # never contacted: the test drives the portal in-process


@pytest.fixture(scope="module")
def server(backend, tmp_path_factory):
    with live_server(backend, tmp_path_factory.mktemp(f"fapi-portal-{backend.name}")) as running:
        yield running


@pytest.fixture
def portal(server):
    from clients.portal.app import create_portal
    from clients.portal.config import PortalConfig
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    key = ECKey.generate_key("P-256", parameters={"kid": "registro-1", "alg": "ES256", "use": "sig"}, private=True)
    metadata = {"client_name": "Registro Civil", "redirect_uris": [f"{PORTAL}/callback"],
                "scope": "openid profile national_id", "token_endpoint_auth_method": "private_key_jwt",
                "jwks": {"keys": [key.as_dict(private=False)]}}
    with get_db(server.app).transaction() as session:
        client = register_client(session, metadata=metadata, permissions=Permissions(operator=True),
                                 fetch_sector=lambda uri: metadata["redirect_uris"]).client
        assert client.client_metadata["security_profile"] == "fapi2"
        client_id = client.client_id
    config = PortalConfig(name="Registro Civil", base_url=PORTAL, issuer=server.base, client_id=client_id,
                          private_jwk=key.as_dict(private=True), scopes=("openid", "profile", "national_id"),
                          fapi=True)
    return create_portal(config)


def test_the_portal_signs_in_with_par_dpop_and_private_key_jwt(server, portal):
    citizen = Citizen(server, given_name="Rosa", family_name="Díaz")
    browser = portal.test_client()
    login = browser.get("/login")
    assert login.status_code == 302, login.get_data(as_text=True)
    location = login.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert set(query) == {"client_id", "request_uri"}  # the request itself was pushed
    answer = citizen.authorize(location, f"{PORTAL}/callback")
    assert answer["iss"] == server.base
    callback = browser.get("/callback?" + urlencode(answer))
    assert callback.status_code == 303, callback.get_data(as_text=True)
    page = browser.get("/").get_data(as_text=True)
    assert "Rosa" in page and "Díaz" in page
    fapi = get_portal(portal).fapi
    assert fapi._nonce  # the provider's DPoP nonce was learnt and used


def test_a_forged_callback_is_refused(server, portal):
    browser = portal.test_client()
    assert browser.get("/login").status_code == 302
    forged = browser.get("/callback?" + urlencode({"code": "x", "state": "not-mine", "iss": server.base}))
    assert forged.status_code == 400


def test_the_civil_registry_issues_a_document_with_a_dpop_bound_agency_token(server):
    import re
    from datetime import UTC, datetime

    from clients.portal.app import create_portal
    from clients.portal.config import PortalConfig
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db
    from keys import get_service, issue_seal_certificate

    key = ECKey.generate_key("P-256", parameters={"kid": "registro-2", "alg": "ES256", "use": "sig"}, private=True)
    metadata = {"client_name": "Registro Civil", "redirect_uris": [f"{PORTAL}/callback"],
                "scope": "openid profile documents:issue", "token_endpoint_auth_method": "private_key_jwt",
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
                "jwks": {"keys": [key.as_dict(private=False)]}}
    with get_db(server.app).transaction() as session:
        client_id = register_client(session, metadata=metadata, permissions=Permissions(operator=True),
                                    fetch_sector=lambda uri: metadata["redirect_uris"]).client.client_id
    service = get_service(server.app)
    if not service.pki.initialised():
        service.pki.init(datetime.now(UTC))
    issue_seal_certificate(service, client_id=client_id, organization_name="Registro Civil",
                           organization_identifier="VATSV-0614-010101-001-1")
    portal = create_portal(PortalConfig(name="Registro Civil", base_url=PORTAL, issuer=server.base,
                                        client_id=client_id, private_jwk=key.as_dict(private=True),
                                        scopes=("openid", "profile"), can_issue_documents=True, fapi=True))
    citizen = Citizen(server, given_name="Luis", family_name="Mena", national_id="00000019-9")
    browser = portal.test_client()
    answer = citizen.authorize(browser.get("/login").headers["Location"], f"{PORTAL}/callback")
    assert browser.get("/callback?" + urlencode(answer)).status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").get_data(as_text=True)).group(1)
    issued = browser.post("/documents/birth", data={"csrf_token": csrf})
    assert issued.status_code == 303, issued.get_data(as_text=True)[:800]


@pytest.fixture(scope="module")
def demo_server(backend, tmp_path_factory):
    """A provider started as `cedula demo` starts it: FAPI 2.0 clients may come back to localhost."""
    folder = tmp_path_factory.mktemp(f"fapi-demo-{backend.name}")
    with live_server(backend, folder, CEDULA_OIDC_FAPI_LOOPBACK_REDIRECTS="true") as running:
        yield running


def test_the_demo_civil_registry_signs_in_as_a_fapi_client_on_localhost(demo_server):
    import json

    from clients.portal.app import create_portal
    from clients.portal.config import PortalConfig
    from clients.registry.services import find_client
    from idp.demo import register_demo_clients
    from infra.db import get_db

    portals = {p.client_id: p for p in register_demo_clients(demo_server.app, fapi=True)}
    registry = portals["registro-civil"]
    with get_db(demo_server.app).read() as session:
        assert find_client(session, "registro-civil").client_metadata["security_profile"] == "fapi2"
    portal = create_portal(PortalConfig(
        name=registry.name, base_url=registry.base_url, issuer=demo_server.base, client_id=registry.client_id,
        private_jwk=json.loads(registry.env["PORTAL_PRIVATE_JWK"]), scopes=("openid", "profile"), fapi=True))
    citizen = Citizen(demo_server, given_name="Ana", family_name="Rivas", national_id="00000027-0")
    browser = portal.test_client()
    login = browser.get("/login")
    assert login.status_code == 302, login.get_data(as_text=True)
    answer = citizen.authorize(login.headers["Location"], f"{registry.base_url}/callback")
    assert answer["iss"] == demo_server.base and "code" in answer, answer
    assert browser.get("/callback?" + urlencode(answer)).status_code == 303
    assert "Rivas" in browser.get("/").get_data(as_text=True)
