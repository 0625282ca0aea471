"""Interoperability: Authlib (the Python library the guide names) as the agency's relying party
against a running `cedula serve`, following docs/agencies.md step by step: self-registration
with an initial access token (section 1), code + PKCE with private_key_jwt (sections 2 and 3),
the ID token checked against /jwks.json, UserInfo, refresh, introspection, revocation and
RP-initiated logout (section 6). The citizen's part is played with the software passkey."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from joserfc.jwt import JWTClaimsRegistry

from idp.developers.views import SOURCE
from tests.interop.test_openid_client import _enrol, _follow
from tests.support.live import prepared, serving

REDIRECT = "https://registro.example.gob/callback"  # the guide's; Authlib only parses it: never contacted
HOME = "https://registro.example.gob/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    deployment = prepared(tmp_path_factory.mktemp("authlib-rp"))
    initial = deployment.cedula("clients", "initial-token", "--label", "Registro Civil").strip()
    env, port, base = deployment.env, deployment.port, deployment.base
    with serving(env, port, base=base):
        yield {"base": base, "initial": initial}


def _guide_client(base: str, client_id: str, folder) -> dict:
    """The guide's Authlib example, run as written (its placeholders given this server's values)."""
    text = SOURCE.read_text(encoding="utf-8")
    block = next(code for code in re.findall(r"```python\n(.*?)```", text, re.S) if "OAuth2Session" in code)
    block = block.replace('"https://cedula.example.gob"', repr(base)).replace('"your-client-id"', repr(client_id))
    block = block.replace('open("registro-private.p8.pem")', repr(str(folder / "registro-private.p8.pem")).join(
        ("open(", ")")))
    namespace: dict = {}
    exec(compile(block, "docs/agencies.md", "exec"), namespace)  # the guide's own example
    return namespace


def test_authlib_follows_the_guide_from_registration_to_logout(server, tmp_path):
    """Authlib's PrivateKeyJWT, as its documentation shows it, made hour-long assertions for the
    token endpoint and repeated one jti: Cédula refused them (`invalid_client`) and the guide,
    which names Authlib, said nothing; its example is now what this test runs."""
    base = server["base"]
    metadata = requests.get(f"{base}/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == base
    # Section 3: the portal's own key pair (the guide's openssl commands make the same PKCS#8 PEM).
    key = ECKey.generate_key("P-256", parameters={"kid": "registro-2026", "use": "sig", "alg": "ES256"})
    (tmp_path / "registro-private.p8.pem").write_bytes(key.as_pem(private=True))
    registered = requests.post(metadata["registration_endpoint"], timeout=10, json={
        "client_name": "Registro Civil", "client_name#en": "Civil Registry", "redirect_uris": [REDIRECT],
        "post_logout_redirect_uris": [HOME], "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256", "jwks": {"keys": [key.as_dict(private=False)]},
        "grant_types": ["authorization_code", "refresh_token"], "scope": "openid profile offline_access",
        "purpose": "Emitir su partida de nacimiento", "purpose#en": "Issue your birth certificate"},
        headers={"Authorization": f"Bearer {server['initial']}"})
    assert registered.status_code == 201, registered.text
    client_id = registered.json()["client_id"]
    session = _guide_client(base, client_id, tmp_path)["cedula"]
    session.scope = "openid profile offline_access"

    # Section 2, steps 1 to 4.
    browser = requests.Session()
    _enrol(browser, base)
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce,
                                                  code_verifier=verifier, ui_locales="es")
    callback = _follow(browser, base, url, REDIRECT)
    answer = {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}
    assert answer["state"] == state and answer["iss"] == metadata["issuer"]  # RFC 9207
    # Step 5, then step 6: the ID token against /jwks.json, iss, aud, exp and nonce.
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                                code_verifier=verifier, state=state)
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 300
    jwks = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], jwks, algorithms=["ES256"])
    JWTClaimsRegistry(iss={"essential": True, "value": base}, aud={"essential": True, "value": client_id},
                      nonce={"essential": True, "value": nonce}, exp={"essential": True}).validate(id_token.claims)
    assert id_token.claims["acr"] == "http://eidas.europa.eu/LoA/low" and id_token.claims["sid"]

    userinfo = session.get(metadata["userinfo_endpoint"], timeout=10)
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == id_token.claims["sub"]
    refreshed = session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]  # rotated
    introspected = session.introspect_token(metadata["introspection_endpoint"], token=refreshed["access_token"])
    assert introspected.status_code == 200 and introspected.json()["active"] is True
    revoked = session.revoke_token(metadata["revocation_endpoint"], token=refreshed["refresh_token"],
                                   token_type_hint="refresh_token")
    assert revoked.status_code == 200, revoked.text
    gone = session.introspect_token(metadata["introspection_endpoint"], token=refreshed["access_token"])
    assert gone.json()["active"] is False

    # Section 6: RP-initiated logout with the ID token as hint, back at the registered URI.
    ended = browser.get(metadata["end_session_endpoint"], allow_redirects=False, timeout=10, params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": HOME, "state": "bye-1"})
    assert ended.status_code in (302, 303), ended.text[:300]
    assert ended.headers["Location"] == HOME + "?state=bye-1"
