"""Browser-based public clients (single-page apps): client-based CORS at /token and /revoke.

draft-ietf-oauth-browser-based-apps section 6.3 and node-oidc-provider's clientBasedCORS: a
page reads the answer only from the origin of one of the requesting client's redirect URIs,
the client public; never a wildcard, never credentials, `Vary: Origin` always.
"""

from __future__ import annotations

import pytest

from infra.web import cors
from tests.idp.oidc.conftest import Flow, get_code, tokens_for

PORTAL = "https://portal.example.gov"  # the origin of the conftest's REDIRECT
SPA = {"token_endpoint_auth_method": "none", "scope": "openid profile email offline_access"}


def exchange(client, agency, code: str, flow: Flow, *, origin: str, verifier: str | None = None):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": verifier or flow.verifier}
    form, headers = agency.auth(form)
    return client.post("/token", data=form, headers={**headers, "Origin": origin})


def _allowed(answer) -> str | None:
    assert "Access-Control-Allow-Credentials" not in answer.headers
    return answer.headers.get("Access-Control-Allow-Origin")


def test_a_single_page_app_reads_its_tokens_and_refusals_from_its_redirect_origin(client, register, citizen):
    spa = register(**SPA)
    code, flow = get_code(client, spa)
    refused = exchange(client, spa, code, flow, verifier="x" * 43, origin=PORTAL)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert _allowed(refused) == PORTAL  # the page can read what to fix
    answer = exchange(client, spa, code, flow, origin=PORTAL)
    assert answer.status_code == 200 and answer.get_json()["access_token"]
    assert _allowed(answer) == PORTAL and answer.headers["Vary"] == "Origin"
    exposed = {name.strip() for name in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"DPoP-Nonce", "WWW-Authenticate", "Retry-After"} <= exposed


def test_another_origin_gets_no_cors_even_with_the_right_client(client, register, citizen):
    spa = register(**SPA)
    code, flow = get_code(client, spa)
    for origin in ("https://evil.example", "http://portal.example.gov", "https://portal.example.gov:8443"):
        answer = exchange(client, spa, code, flow, verifier="x" * 43, origin=origin)
        assert _allowed(answer) is None and answer.headers["Vary"] == "Origin", origin


def test_a_confidential_client_never_gets_cors_at_the_token_endpoint(client, register, citizen):
    """Its secret lives on its server: a page at its origin has no business at /token."""
    agency = register()  # client_secret_basic, the same redirect URI
    code, flow = get_code(client, agency)
    answer = exchange(client, agency, code, flow, origin=PORTAL)
    assert answer.status_code == 200 and _allowed(answer) is None


def test_the_preflight_allows_dpop_for_an_origin_a_browser_client_registered(client, register):
    register(**SPA)
    register(client_name="Hacienda", redirect_uris=["https://hacienda.example.gov/cb"])  # confidential
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, dpop"}
    for path in ("/token", "/revoke"):
        allowed = client.options(path, headers={"Origin": PORTAL, **asked})
        assert allowed.status_code == 204 and _allowed(allowed) == PORTAL
        assert allowed.headers["Access-Control-Allow-Methods"] == "POST"
        headers = {h.strip().lower() for h in allowed.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"dpop", "content-type"} <= headers and allowed.headers["Vary"] == "Origin"
        for origin in ("https://evil.example", "https://hacienda.example.gov"):
            refused = client.options(path, headers={"Origin": origin, **asked})
            assert _allowed(refused) is None and "Access-Control-Allow-Headers" not in refused.headers, origin


def test_a_single_page_app_revokes_its_refresh_token_from_its_origin(client, register, citizen):
    spa = register(**SPA)
    tokens = tokens_for(client, spa, scope="openid offline_access", prompt="consent")
    form = {"client_id": spa.client_id, "token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
    answer = client.post("/revoke", data=form, headers={"Origin": PORTAL})
    assert answer.status_code == 200 and _allowed(answer) == PORTAL
    elsewhere = client.post("/revoke", data=form, headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 200 and _allowed(elsewhere) is None


def test_discovery_and_the_keys_are_readable_by_any_page(client):
    for path in ("/.well-known/openid-configuration", "/jwks.json"):
        assert client.get(path, headers={"Origin": "https://spa.example"}).headers[
            "Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("uri", "origin"), [
    ("https://Portal.Example.gov:443/cb?x=1", "https://portal.example.gov"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ("http://[::1]:80/cb", "http://[::1]"),
    ("com.example.app:/cb", None),
    ("https://portal.example.gov:99999/", None),
])
def test_the_origin_of_a_redirect_uri_is_what_a_browser_sends(uri, origin):
    assert cors.origin_of(uri) == origin


def test_only_a_public_web_clients_redirect_origins_count():
    uris = {"redirect_uris": ["https://a.example/cb", "https://a.example/other", "http://127.0.0.1:9/x"]}
    assert cors.browser_origins({**uris, "token_endpoint_auth_method": "none"}) == {
        "https://a.example", "http://127.0.0.1:9"}
    assert cors.browser_origins({**uris, "token_endpoint_auth_method": "private_key_jwt"}) == frozenset()
    assert cors.browser_origins({**uris, "token_endpoint_auth_method": "none",
                                 "application_type": "native"}) == frozenset()




def test_a_refusal_that_names_no_client_is_not_readable_as_the_guide_says(client, register):
    """The guide tells a single-page app that a JSON body (or an unknown client_id) ends in a
    network error: no client is proved, so no origin is allowed (no wildcard either)."""
    spa = register(**SPA)
    as_json = client.post("/token", json={"grant_type": "refresh_token", "client_id": spa.client_id,
                                          "refresh_token": "x"}, headers={"Origin": PORTAL})
    assert as_json.status_code == 400 and _allowed(as_json) is None
    unknown = client.post("/token", data={"grant_type": "refresh_token", "client_id": "not-registered",
                                          "refresh_token": "x"}, headers={"Origin": PORTAL})
    assert unknown.status_code == 401 and _allowed(unknown) is None


PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def test_strangers_preflights_do_not_read_every_clients_metadata(client, register, monkeypatch):
    """Regression: a preflight needs no credentials, and each one read the metadata of every
    enabled client, so anyone sending preflights with made-up origins made each worker read the
    whole registry per request. The origins are kept per process and read again only when the
    registry changed; a registration and a changed redirect URI are seen at the next preflight."""
    import sqlalchemy as sa

    from clients.registry import Client
    from infra.db import get_db

    spa = register(**SPA)
    reads: list[int] = []
    browser_origins = cors.browser_origins
    monkeypatch.setattr(cors, "browser_origins", lambda metadata: reads.append(1) or browser_origins(metadata))

    def allowed(origin: str) -> bool:
        return _allowed(client.options("/token", headers={"Origin": origin, **PREFLIGHT})) == origin

    assert allowed(PORTAL)
    first = len(reads)
    assert first >= 1
    assert not any(allowed(f"https://stranger-{n}.example") for n in range(20))
    assert len(reads) == first  # nothing read again for the strangers

    register(**SPA, redirect_uris=["https://nueva.example.gov/cb"])  # a registration: seen at once
    assert allowed("https://nueva.example.gov")
    with get_db(client.application).transaction() as session:  # a redirect URI moved: seen at once
        row = session.scalars(sa.select(Client).where(Client.client_id == spa.client_id)).one()
        session.execute(sa.update(Client).where(Client.client_id == spa.client_id).values(
            client_metadata={**row.client_metadata, "redirect_uris": ["https://movida.example.gov/cb"]}))
    assert allowed("https://movida.example.gov") and not allowed(PORTAL)
