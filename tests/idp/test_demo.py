"""`cedula demo` registers its two agencies idempotently, with fresh credentials each start."""

from __future__ import annotations

import json

from clients.registry.services import check_secret, find_client, list_clients
from idp.demo import register_demo_clients
from infra.db import get_db


def test_demo_clients_are_registered_and_refreshed(fresh_app):
    first = {p.client_id: p for p in register_demo_clients(fresh_app)}
    second = {p.client_id: p for p in register_demo_clients(fresh_app)}
    db = get_db(fresh_app)
    with db.read() as session:
        assert sorted(c.client_id for c in list_clients(session)) == ["hacienda", "registro-civil"]
        tax = find_client(session, "hacienda")
        registry = find_client(session, "registro-civil")
        old_secret = first["hacienda"].env["PORTAL_CLIENT_SECRET"]
        new_secret = second["hacienda"].env["PORTAL_CLIENT_SECRET"]
        assert not check_secret(tax, old_secret)
        assert check_secret(tax, new_secret)
        public = registry.client_metadata["jwks"]["keys"][0]
        private = json.loads(second["registro-civil"].env["PORTAL_PRIVATE_JWK"])
        assert public["x"] == private["x"] and "d" not in public
        assert registry.client_metadata["token_endpoint_auth_method"] == "private_key_jwt"
        assert registry.client_metadata["require_pushed_authorization_requests"] is True
        assert registry.client_metadata["dpop_bound_access_tokens"] is True
        assert second["registro-civil"].env["PORTAL_FAPI"] == "1"
        for client in (tax, registry):
            assert client.client_metadata["backchannel_logout_uri"].endswith("/backchannel-logout")
            assert client.client_metadata["redirect_uris"][0].startswith("http://localhost:800")


def test_the_civil_registry_can_issue_sealed_documents(fresh_app):
    import keys

    service = keys.get_service(fresh_app)
    service.custody.initialise()
    service.pki.init(service.now())
    portals = {p.client_id: p for p in register_demo_clients(fresh_app)}
    assert portals["registro-civil"].env["PORTAL_ISSUE_DOCUMENTS"] == "1"
    with get_db(fresh_app).read() as session:
        metadata = find_client(session, "registro-civil").client_metadata
    assert "documents:issue" in metadata["scope"].split()
    assert "client_credentials" in metadata["grant_types"]
    seal = service.pki.current_seal(client_id="registro-civil", now=service.now())
    register_demo_clients(fresh_app)  # a second start keeps the same seal certificate
    assert service.pki.current_seal(client_id="registro-civil", now=service.now()).serial == seal.serial


def test_the_civil_registry_is_a_fapi_client_when_the_provider_allows_loopback_redirects(fresh_app):
    register_demo_clients(fresh_app)  # the test app's provider: setting off
    with get_db(fresh_app).read() as session:
        assert find_client(session, "registro-civil").client_metadata["security_profile"] == "oidc"
    register_demo_clients(fresh_app, fapi=True)  # as `cedula demo` does for the provider it starts
    with get_db(fresh_app).read() as session:
        metadata = find_client(session, "registro-civil").client_metadata
    assert metadata["security_profile"] == "fapi2"
    assert metadata["redirect_uris"][0].startswith("http://localhost:")
    assert metadata["require_pushed_authorization_requests"] is True and metadata["dpop_bound_access_tokens"] is True


def test_the_demo_agencies_state_their_purpose_in_each_language_of_the_pages(fresh_app):
    """The demo's purposes were Spanish only: the English consent page showed a Spanish
    sentence (no lang attribute could say so). Each agency now registers `purpose#es` and
    `purpose#en` (OIDC Registration section 2.1), and the Spanish speaks as «usted»."""
    from clients.registry.localized import localized

    register_demo_clients(fresh_app)
    with get_db(fresh_app).read() as session:
        for client_id in ("hacienda", "registro-civil"):
            metadata = find_client(session, client_id).client_metadata
            spanish, english = localized(metadata, "purpose", "es"), localized(metadata, "purpose", "en")
            assert spanish and english and spanish != english
            assert not {"tu", "tus", "te"} & set(spanish.lower().split())
