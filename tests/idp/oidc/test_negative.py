"""What the provider refuses, with the exact error: redirect URIs, PKCE, codes, client
authentication, refresh token reuse, revoked and forged tokens."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from infra.store import get_store
from keys import sign_jwt
from tests.idp.oidc.conftest import (
    Flow,
    authorize_url,
    bearer,
    claims_of,
    exchange,
    get_code,
    redirect_params,
    s256,
    token_request,
    tokens_for,
)
from tests.support.basic_auth import basic_auth

VARIANTS = [
    "https://portal.example.gov/callback?extra=1",
    "https://portal.example.gov/callback/",
    "https://portal.example.gov/Callback",
    "https://PORTAL.example.gov/callback",
    "https://portal.example.gov/%63allback",
    "https://evil@portal.example.gov/callback",
    "https://portal.example.gov@evil.example/callback",
    "http://portal.example.gov/callback",
    "https://portal.example.gov:443/callback",
    "https://portal.example.gov/callback#frag",
    "",
]


@pytest.mark.parametrize("uri", VARIANTS)
def test_redirect_uri_variants_get_an_error_page_never_a_redirect(client, register, citizen, uri):
    agency = register()
    response = client.get(authorize_url(agency, Flow(), redirect_uri=uri or None))
    assert response.status_code == 400 and "Location" not in response.headers


def test_unknown_or_missing_client_gets_an_error_page(client, register, citizen):
    agency = register()
    for client_id in ("nobody", None):
        response = client.get(authorize_url(agency, Flow(), client_id=client_id))
        assert response.status_code == 400 and "Location" not in response.headers
    # The citizen is told what to do next, not only that the agency's request was wrong.
    for lang, next_step in (("es", "Vuelva al sitio de la institución"), ("en", "Go back to the agency's site")):
        page = client.get(authorize_url(agency, Flow(), client_id="nobody"),
                          headers={"Accept-Language": lang}).get_data(as_text=True)
        assert next_step in page.replace("&#39;", "'")


@pytest.mark.parametrize(("params", "error"), [
    ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": None}, "invalid_request"),
    ({"code_challenge": "short"}, "invalid_request"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"response_type": "code id_token"}, "unsupported_response_type"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"scope": "openid admin"}, "invalid_scope"),
    ({"prompt": "none login"}, "invalid_request"),
    ({"max_age": "-1"}, "invalid_request"),
    ({"response_mode": "fragment"}, "invalid_request"),
    ({"claims": "{not json"}, "invalid_request"),
])
def test_authorization_errors_go_back_with_state_and_iss(client, register, citizen, params, error):
    agency = register()
    flow = Flow()
    result = redirect_params(client.get(authorize_url(agency, flow, **params)), agency)
    assert result["error"] == error and result["state"] == flow.state and result["iss"] == "http://localhost"
    assert result["error_description"]


def test_pkce_wrong_or_missing_verifier(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    response = exchange(client, agency, code, flow, code_verifier="x" * 43)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"
    code, flow = get_code(client, agency)
    response = exchange(client, agency, code, flow, code_verifier=None)
    assert response.get_json() == {"error": "invalid_grant",
                                   "error_description": "code_verifier is required (RFC 7636 section 4.5)"}


def test_code_is_bound_to_redirect_uri_and_client(client, register, citizen):
    agency = register()
    other = register()
    code, flow = get_code(client, agency)
    assert exchange(client, other, code, flow).get_json()["error"] == "invalid_grant"
    code, flow = get_code(client, agency)
    response = exchange(client, agency, code, flow, redirect_uri="https://portal.example.gov/other")
    assert response.get_json()["error"] == "invalid_grant"


def test_code_reuse_revokes_the_tokens_of_the_first_use(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    code, flow = get_code(client, agency, scope="openid offline_access")
    first = exchange(client, agency, code, flow).get_json()
    assert client.get("/userinfo", headers=bearer(first["access_token"])).status_code == 200
    second = exchange(client, agency, code, flow)
    assert second.status_code == 400 and second.get_json()["error"] == "invalid_grant"
    assert "already used" in second.get_json()["error_description"]
    revoked = client.get("/userinfo", headers=bearer(first["access_token"]))
    assert revoked.status_code == 401 and 'error="invalid_token"' in revoked.headers["WWW-Authenticate"]
    refreshed = token_request(client, agency, {"grant_type": "refresh_token",
                                               "refresh_token": first["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"


def test_expired_code(client, register, citizen, monkeypatch):
    agency = register()
    code, flow = get_code(client, agency)
    from idp.oidc import codes
    from idp.oidc.services import CODE_NOT_FOUND

    get_store(client.application).delete(
        codes.CODE_PREFIX + codes._key(code, agency.client_id, s256(flow.verifier), agency.redirect_uri))
    response = exchange(client, agency, code, flow)
    assert response.get_json()["error_description"] == CODE_NOT_FOUND


def test_client_secret_errors(client, register, citizen):
    basic = register()
    response = client.post("/token", data={"grant_type": "authorization_code", "code": "x"},
                           headers=basic_auth(basic.client_id, "wrong"))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # Registered for basic, trying post: refused.
    response = client.post("/token", data={"grant_type": "authorization_code", "code": "x",
                                           "client_id": basic.client_id, "client_secret": basic.secret})
    assert response.status_code == 401
    post = register(token_endpoint_auth_method="client_secret_post")
    assert tokens_for(client, post)["access_token"]
    # No credentials at all for a confidential client.
    response = client.post("/token", data={"grant_type": "authorization_code", "code": "x",
                                           "client_id": post.client_id})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_token_endpoint_request_errors(client, register, citizen):
    agency = register()
    form, headers = agency.auth({"grant_type": "password"})
    response = client.post("/token", data=form, headers=headers)
    assert response.get_json()["error"] == "unsupported_grant_type"
    response = client.post("/token", json={"grant_type": "authorization_code"}, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    response = client.post("/token", data="grant_type=authorization_code&grant_type=refresh_token",
                           content_type="application/x-www-form-urlencoded", headers=headers)
    assert response.get_json()["error"] == "invalid_request"
    form, headers = agency.auth({"grant_type": "client_credentials"})
    assert client.post("/token", data=form, headers=headers).get_json()["error"] == "unauthorized_client"


def test_private_key_jwt_assertions(client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    assert tokens_for(client, agency)["id_token"]

    def attempt(assertion: str):
        return client.post("/token", data={
            "grant_type": "authorization_code", "code": "nope",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion})

    reused = agency.assertion(jti="only-once")
    assert attempt(reused).get_json()["error"] == "invalid_grant"  # authenticated; bad code
    replay = attempt(reused)
    assert replay.status_code == 401 and "already used" in replay.get_json()["error_description"]
    wrong_aud = attempt(agency.assertion(aud="https://other.example/token"))
    assert wrong_aud.status_code == 401 and "aud" in wrong_aud.get_json()["error_description"]
    assert attempt(agency.assertion(aud="http://localhost/token")).status_code == 401  # strict: the issuer
    assert attempt(agency.assertion(exp_in=-120)).status_code == 401
    assert attempt(agency.assertion(exp_in=3600)).status_code == 401

    now = int(time.time())
    payload = {"iss": agency.client_id, "sub": agency.client_id, "aud": "http://localhost",
               "exp": now + 60, "jti": "none-alg"}
    unsigned = (base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode() + "."
                + base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode() + ".")
    assert attempt(unsigned).status_code == 401
    # HS256 keyed with the client's public key (the classic algorithm confusion).
    public = json.dumps(agency.metadata["jwks"]["keys"][0]).encode()
    hs = jwt.encode({"alg": "HS256"}, dict(payload, jti="hs"), OctKey.import_key(public), algorithms=["HS256"])
    refused = attempt(hs)
    assert refused.status_code == 401 and "ES256" in refused.get_json()["error_description"]
    # Signed by another key.
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    stranger = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    assert attempt(agency.assertion(key=stranger)).status_code == 401


def test_refresh_rotation_and_reuse_revokes_the_grant(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    first = tokens_for(client, agency, scope="openid profile offline_access")
    assert first["refresh_token"]
    second = token_request(client, agency, {"grant_type": "refresh_token",
                                            "refresh_token": first["refresh_token"]}).get_json()
    assert second["refresh_token"] != first["refresh_token"]
    id_token = claims_of(second["id_token"])
    assert "nonce" not in id_token and id_token["sub"] == claims_of(first["id_token"])["sub"]
    narrowed = token_request(client, agency, {"grant_type": "refresh_token", "scope": "openid",
                                              "refresh_token": second["refresh_token"]}).get_json()
    assert narrowed["scope"] == "openid"
    widened = token_request(client, agency, {"grant_type": "refresh_token", "scope": "openid email",
                                             "refresh_token": narrowed["refresh_token"]}).get_json()
    assert widened["error"] == "invalid_scope"

    reuse = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert reuse.get_json()["error"] == "invalid_grant" and "reuse" in reuse.get_json()["error_description"]
    # Every token of the grant is now dead: the latest refresh token and the access tokens.
    latest = token_request(client, agency, {"grant_type": "refresh_token",
                                            "refresh_token": narrowed["refresh_token"]})
    assert latest.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(narrowed["access_token"])).status_code == 401


def _introspect(client, agency, token: str, **extra: str) -> dict:
    form, headers = agency.auth({"token": token, **extra})
    response = client.post("/introspect", data=form, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _revoke(client, agency, token: str) -> None:
    form, headers = agency.auth({"token": token})
    response = client.post("/revoke", data=form, headers=headers)
    assert response.status_code == 200 and response.get_data() == b""


def test_introspection_and_revocation(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    other = register(redirect_uris=["https://other.example.gov/cb"])
    body = tokens_for(client, agency, scope="openid offline_access")
    active = _introspect(client, agency, body["access_token"])
    assert active["active"] is True and active["client_id"] == agency.client_id
    assert active["sub"] == claims_of(body["id_token"])["sub"] and active["token_type"] == "Bearer"
    refresh = _introspect(client, agency, body["refresh_token"], token_type_hint="refresh_token")
    assert refresh["active"] is True and refresh["sub"] == active["sub"]
    assert _introspect(client, other, body["access_token"]) == {"active": False}
    assert _introspect(client, agency, "garbage") == {"active": False}

    _revoke(client, other, body["refresh_token"])  # not its token: nothing happens
    assert _introspect(client, agency, body["refresh_token"])["active"] is True
    _revoke(client, agency, body["access_token"])
    assert _introspect(client, agency, body["access_token"]) == {"active": False}
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401
    assert _introspect(client, agency, body["refresh_token"])["active"] is True
    _revoke(client, agency, body["refresh_token"])
    assert _introspect(client, agency, body["refresh_token"]) == {"active": False}
    _revoke(client, agency, "unknown-token")
    response = client.post("/introspect", data={"token": body["access_token"]})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_userinfo_refuses_bad_tokens(client, register, citizen):
    agency = register()
    body = tokens_for(client, agency)
    missing = client.get("/userinfo")
    # RFC 6750 section 3.1: no error code without a token; RFC 9449 section 7.1: DPoP offered too.
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == (
        'Bearer realm="cedula", DPoP realm="cedula", algs="ES256 ES384 PS256 RS256 EdDSA"')
    access = body["access_token"]
    head, payload, signature = access.split(".")
    claims = claims_of(access)
    forged = base64.urlsafe_b64encode(json.dumps(dict(claims, sub="someone")).encode()).rstrip(b"=").decode()
    tampered = client.get("/userinfo", headers=bearer(f"{head}.{forged}.{signature}"))
    assert tampered.status_code == 401 and tampered.get_json()["error"] == "invalid_token"
    none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
    assert client.get("/userinfo", headers=bearer(f"{none}.{payload}.")).status_code == 401
    # An ID token is not an access token (typ JWT, aud the client).
    assert client.get("/userinfo", headers=bearer(body["id_token"])).status_code == 401
    with client.application.app_context():
        expired = sign_jwt(client.application, dict(claims, iat=claims["iat"] - 900, exp=claims["iat"] - 600),
                           alg="ES256", typ="at+jwt")
    response = client.get("/userinfo", headers=bearer(expired))
    assert response.status_code == 401 and "expired" in response.get_json()["error_description"]
    assert _introspect(client, agency, expired) == {"active": False}
    both = client.post("/userinfo", data={"access_token": access}, headers=bearer(access))
    assert both.status_code == 400
