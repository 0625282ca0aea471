"""DPoP (RFC 9449) at /token, /par, /userinfo, the documents API and introspection: the bound
tokens, the server nonces, and each attack of issue #17 with its exact error."""

from __future__ import annotations

import time
from typing import Any

import pytest

from idp.oidc import dpop
from infra.store import get_store
from tests.idp.oidc.conftest import Agency, Flow, claims_of, get_code
from tests.support.dpop import DpopKey

TOKEN = "http://localhost/token"
USERINFO = "http://localhost/userinfo"


def post_token(client, agency: Agency, form: dict[str, str], key: DpopKey | None, **proof: Any):
    """POST /token with a DPoP proof; once more with the server's nonce if it asks for one."""
    for _ in range(2):
        body, headers = agency.auth(form)
        if key is not None:
            headers["DPoP"] = key.proof("POST", TOKEN, **proof)
        response = client.post("/token", data=body, headers=headers)
        if response.status_code == 400 and response.get_json()["error"] == "use_dpop_nonce" and key is not None:
            key.remember(response)
            continue
        return response
    return response


def code_form(client, agency: Agency, flow: Flow | None = None, **params: Any) -> dict[str, str]:
    """The /token form that redeems a fresh authorization code of `agency`'s."""
    code, flow = get_code(client, agency, flow, **params)
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}


def code_tokens(client, agency: Agency, key: DpopKey | None, *, flow: Flow | None = None, **params: Any):
    return post_token(client, agency, code_form(client, agency, flow, **params), key)


def userinfo(client, token: str, key: DpopKey | None, *, scheme: str = "DPoP", **proof: Any):
    headers = {"Authorization": f"{scheme} {token}"}
    if key is not None:
        headers["DPoP"] = key.proof("GET", USERINFO, access_token=token, **proof)
    return client.get("/userinfo", headers=headers)


def error_of(response) -> str:
    return response.get_json()["error"]


def test_code_flow_binds_the_access_token_and_userinfo_needs_the_key(client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    key = DpopKey()
    response = code_tokens(client, agency, key)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "DPoP"
    assert claims_of(body["access_token"])["cnf"] == {"jkt": key.jkt}
    assert response.headers["DPoP-Nonce"]
    key.remember(response)
    answer = userinfo(client, body["access_token"], key)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["sub"] == claims_of(body["id_token"])["sub"]


def test_first_proof_without_nonce_gets_use_dpop_nonce(client, register, citizen):
    agency = register()
    key = DpopKey()
    form, headers = agency.auth(code_form(client, agency))
    headers["DPoP"] = key.proof("POST", TOKEN)
    response = client.post("/token", data=form, headers=headers)
    assert response.status_code == 400 and error_of(response) == "use_dpop_nonce"
    nonce = response.headers["DPoP-Nonce"]
    headers["DPoP"] = key.proof("POST", TOKEN, nonce="not-the-servers-nonce")
    stale = client.post("/token", data=form, headers=headers)
    assert stale.status_code == 400 and error_of(stale) == "use_dpop_nonce"
    headers["DPoP"] = key.proof("POST", TOKEN, nonce=nonce)
    assert client.post("/token", data=form, headers=headers).status_code == 200


def test_a_dpop_client_without_proof_is_refused(client, register, citizen):
    agency = register(dpop_bound_access_tokens=True)
    response = code_tokens(client, agency, None)
    assert response.status_code == 400 and error_of(response) == "invalid_dpop_proof"
    assert "dpop_bound_access_tokens" in response.get_json()["error_description"]


@pytest.mark.parametrize(("override", "expected"), [
    ({"htm": "GET"}, "htm"),
    ({"htu": "http://localhost/userinfo"}, "htu"),
    ({"iat": -600}, "iat"),  # seconds from when the proof is made (not from collection:
    ({"iat": +600}, "iat"),  # ten minutes into a long run, "+600" would be the present)
    ({"typ": "JWT"}, "typ"),
])
def test_proofs_for_another_request_or_time_are_refused(client, register, citizen, override, expected):
    agency = register()
    key = DpopKey()
    key.nonce = _nonce(client)
    override = dict(override)
    form, headers = agency.auth(code_form(client, agency))
    method = override.pop("htm", "POST")
    url = override.pop("htu", TOKEN)
    if "iat" in override:
        override["iat"] = int(time.time()) + override["iat"]
    headers["DPoP"] = key.proof(method, url, **override)
    response = client.post("/token", data=form, headers=headers)
    assert response.status_code == 400 and error_of(response) == "invalid_dpop_proof"
    assert expected in response.get_json()["error_description"]


def _nonce(client) -> str:
    from idp.oidc import provider

    with client.application.app_context():
        nonces = dpop.Nonces(get_store(client.application), seconds=provider().settings.dpop_nonce_seconds)
        return nonces.current(int(time.time()))


def test_a_replayed_proof_is_refused(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    key = DpopKey()
    body = code_tokens(client, agency, key, scope="openid offline_access").get_json()
    proof = key.proof("POST", TOKEN)
    form, headers = agency.auth({"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    first = client.post("/token", data=form, headers={**headers, "DPoP": proof})
    assert first.status_code == 200, first.get_json()
    form, headers = agency.auth({"grant_type": "refresh_token", "refresh_token": first.get_json()["refresh_token"]})
    again = client.post("/token", data=form, headers={**headers, "DPoP": proof})
    assert again.status_code == 400 and error_of(again) == "invalid_dpop_proof"
    assert "already used" in again.get_json()["error_description"]


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_proofs_without_an_asymmetric_signature_are_refused(client, register, citizen, alg):
    agency = register()
    key = DpopKey()
    key.nonce = _nonce(client)
    form, headers = agency.auth(code_form(client, agency))
    response = client.post("/token", data=form, headers={**headers, "DPoP": key.unsigned("POST", TOKEN, alg=alg)})
    assert response.status_code == 400 and error_of(response) == "invalid_dpop_proof"
    assert "asymmetric" in response.get_json()["error_description"]


def test_a_symmetric_jwk_or_a_private_key_in_the_proof_is_refused(client, register, citizen):
    agency = register()
    key = DpopKey()
    key.nonce = _nonce(client)
    form, headers = agency.auth(code_form(client, agency))
    private = key.proof("POST", TOKEN, jwk=key.key.as_dict(private=True))
    response = client.post("/token", data=form, headers={**headers, "DPoP": private})
    assert response.status_code == 400 and "public key" in response.get_json()["error_description"]
    signed_by_another = DpopKey().proof("POST", TOKEN, nonce=key.nonce, jwk=key.key.as_dict(private=False))
    response = client.post("/token", data=form, headers={**headers, "DPoP": signed_by_another})
    assert response.status_code == 400 and "signature" in response.get_json()["error_description"]


def test_resource_refusals(client, register, citizen):
    agency = register()
    key = DpopKey()
    response = code_tokens(client, agency, key)
    key.remember(response)
    token = response.get_json()["access_token"]
    other = code_tokens(client, agency, key).get_json()["access_token"]

    # A DPoP-bound access token presented as Bearer (RFC 9449 section 7.2).
    as_bearer = userinfo(client, token, None, scheme="Bearer")
    assert as_bearer.status_code == 401 and error_of(as_bearer) == "invalid_token"
    assert as_bearer.headers["WWW-Authenticate"].startswith('DPoP realm="cedula", error="invalid_token"')
    # The DPoP scheme without a proof.
    bare = userinfo(client, token, None)
    assert bare.status_code == 401 and error_of(bare) == "invalid_dpop_proof"
    # ath of another token.
    wrong_ath = userinfo(client, token, key, ath=dpop.ath(other))
    assert wrong_ath.status_code == 401 and error_of(wrong_ath) == "invalid_dpop_proof"
    assert 'DPoP realm="cedula", error="invalid_dpop_proof"' in wrong_ath.headers["WWW-Authenticate"]
    assert "ath" in wrong_ath.get_json()["error_description"]
    # A proof by another key.
    thief = DpopKey(nonce=key.nonce)
    stolen = userinfo(client, token, thief)
    assert stolen.status_code == 401 and error_of(stolen) == "invalid_token"
    # A proof for the token endpoint.
    headers = {"Authorization": f"DPoP {token}", "DPoP": key.proof("POST", TOKEN, access_token=token)}
    assert error_of(client.get("/userinfo", headers=headers)) == "invalid_dpop_proof"
    # Without the nonce: 401 use_dpop_nonce with the nonce to use (RFC 9449 section 9).
    fresh = DpopKey(key=key.key)
    no_nonce = userinfo(client, token, fresh)
    assert no_nonce.status_code == 401 and error_of(no_nonce) == "use_dpop_nonce"
    assert no_nonce.headers["DPoP-Nonce"] and 'error="use_dpop_nonce"' in no_nonce.headers["WWW-Authenticate"]
    # The rightful request still works.
    assert userinfo(client, token, key).status_code == 200


def test_an_unbound_token_is_refused_under_the_dpop_scheme(client, register, citizen):
    agency = register()
    token = code_tokens(client, agency, None).get_json()["access_token"]
    key = DpopKey(nonce=_nonce(client))
    response = userinfo(client, token, key)
    assert response.status_code == 401 and error_of(response) == "invalid_token"
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_public_clients_refresh_tokens_are_bound_to_the_key(client, register, citizen):
    agency = register(token_endpoint_auth_method="none", grant_types=["authorization_code", "refresh_token"],
                      scope="openid profile offline_access")
    key = DpopKey()
    body = code_tokens(client, agency, key, scope="openid offline_access").get_json()
    refresh = body["refresh_token"]
    thief = DpopKey(nonce=key.nonce)
    stolen = post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh}, thief)
    assert stolen.status_code == 400 and error_of(stolen) == "invalid_grant"
    assert "bound to a DPoP key" in stolen.get_json()["error_description"]
    without = post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh}, None)
    assert without.status_code == 400 and error_of(without) == "invalid_grant"
    # Neither burnt it: its own key still refreshes, and the new one is bound too.
    mine = post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh}, key)
    assert mine.status_code == 200, mine.get_json()
    assert mine.get_json()["token_type"] == "DPoP"
    rotated = mine.get_json()["refresh_token"]
    again = post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": rotated}, thief)
    assert error_of(again) == "invalid_grant"


def test_confidential_clients_refresh_with_a_new_key(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    key = DpopKey()
    body = code_tokens(client, agency, key, scope="openid offline_access").get_json()
    other = DpopKey(nonce=key.nonce)
    response = post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                          other)
    assert response.status_code == 200
    assert claims_of(response.get_json()["access_token"])["cnf"] == {"jkt": other.jkt}


def test_dpop_jkt_at_authorize_binds_the_code(client, register, citizen):
    agency = register()
    key, other = DpopKey(), DpopKey()
    wrong = code_tokens(client, agency, other, dpop_jkt=key.jkt)
    assert wrong.status_code == 400 and error_of(wrong) == "invalid_dpop_proof"
    assert "dpop_jkt" in wrong.get_json()["error_description"]
    without = code_tokens(client, agency, None, dpop_jkt=key.jkt)
    assert without.status_code == 400 and error_of(without) == "invalid_dpop_proof"
    assert code_tokens(client, agency, key, dpop_jkt=key.jkt).status_code == 200


def test_a_dpop_proof_at_par_binds_the_code(client, register, citizen):
    from urllib.parse import urlencode

    from tests.idp.oidc.conftest import decide, redirect_params
    from tests.idp.oidc.test_par import pushed_params

    agency = register()
    key = DpopKey(nonce=_nonce(client))
    flow = Flow()
    form, headers = agency.auth(pushed_params(agency, flow))
    headers["DPoP"] = key.proof("POST", "http://localhost/par")
    pushed = client.post("/par", data=form, headers=headers)
    assert pushed.status_code == 201, pushed.get_json()
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id,
                                                 "request_uri": pushed.get_json()["request_uri"]}))
    code = redirect_params(decide(client, page), agency)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}
    other = post_token(client, agency, form, DpopKey(nonce=key.nonce))
    assert other.status_code == 400 and error_of(other) == "invalid_dpop_proof"


def test_introspection_shows_the_key(client, register, citizen):
    agency = register()
    key = DpopKey()
    token = code_tokens(client, agency, key).get_json()["access_token"]
    form, headers = agency.auth({"token": token})
    body = client.post("/introspect", data=form, headers=headers).get_json()
    assert body["active"] is True and body["token_type"] == "DPoP" and body["cnf"] == {"jkt": key.jkt}


def test_client_credentials_and_the_documents_api(client, register):
    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"])
    key = DpopKey()
    response = post_token(client, agency, {"grant_type": "client_credentials"}, key)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "DPoP" and claims_of(body["access_token"])["cnf"] == {"jkt": key.jkt}
    token = body["access_token"]
    path = "/api/documents/00000000-0000-4000-8000-000000000000"  # none: 404 once the token passes
    url = "http://localhost" + path
    as_bearer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401 and error_of(as_bearer) == "invalid_token"
    proof = key.proof("GET", url, access_token=token)
    ok = client.get(path, headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert ok.status_code == 404 and error_of(ok) == "not_found", ok.get_json()
    replay = client.get(path, headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert replay.status_code == 401 and error_of(replay) == "invalid_dpop_proof"


def test_nonces_are_shared_rotated_and_bounded(app):
    store = get_store(app)
    first, second = dpop.Nonces(store, seconds=300), dpop.Nonces(store, seconds=300)  # two workers
    now = 1_900_000_200
    current = first.current(now)
    assert second.current(now) == current and second.accepts(current, now)
    later = now + 300
    assert first.current(later) != current
    assert second.accepts(current, later)  # the previous period's still counts
    assert not second.accepts(current, later + 300)
    assert not first.accepts("made-up", now)


def test_discovery_and_metadata(client):
    from clients.registry import ClientMetadataError, Permissions, validate_metadata

    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["dpop_signing_alg_values_supported"] == list(dpop.ALGS)
    with pytest.raises(ClientMetadataError, match="dpop_bound_access_tokens"):
        validate_metadata({"redirect_uris": ["https://a.example/cb"], "dpop_bound_access_tokens": 1},
                          Permissions())


def test_a_proof_with_an_rsa_key_in_its_header_is_read(app):
    """An RSA public key makes the proof's header longer than joserfc's default limit (512
    characters); the proof is still read and checked (infra.jose with the DPoP limits)."""
    from joserfc.jwk import RSAKey

    key = DpopKey(key=RSAKey.generate_key(2048))
    url = "https://op.example/token"
    proof = key.proof("POST", url, alg="PS256")
    assert len(proof.split(".")[0]) > 512
    checked = dpop.verify(proof, method="POST", url=url, store=get_store(app),
                          policy=dpop.DpopPolicy(require_nonce=False), nonces=dpop.Nonces(get_store(app), seconds=300),
                          now=int(time.time()))
    assert checked.jkt == key.jkt


@pytest.mark.parametrize("escaped", ["caf%C3%A9", "a%20b", "x%25y"])
def test_the_documents_api_checks_htu_against_the_path_as_sent(client, register, escaped):
    """The proof's htu is the URL as the agency sent it (escapes and all), not Flask's decoded
    request.path: a path with an escaped character passes the proof and reaches the 404."""
    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"])
    key = DpopKey()
    token = post_token(client, agency, {"grant_type": "client_credentials"}, key).get_json()["access_token"]
    path = "/api/documents/" + escaped
    proof = key.proof("GET", "http://localhost" + path, access_token=token)
    response = client.get(path, headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert response.status_code == 404 and error_of(response) == "not_found", response.get_json()
