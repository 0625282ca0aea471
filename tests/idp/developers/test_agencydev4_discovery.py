"""Every value the discovery document advertises works, exercised one by one as an agency's
developer would after reading /.well-known/openid-configuration (OpenID Connect Discovery 1.0
section 3, RFC 8414 section 2): each signing algorithm of client assertions, request objects
and DPoP proofs, each ID token algorithm, response mode, prompt, scope and claim."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    Flow,
    citizen,
    claims_of,
    decide,
    exchange,
    get_code,
    header_of,
    oidc_app,
    redirect_params,
    register,
    registered_agency,
)
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.support.dpop import DpopKey

ISSUER = "http://localhost"
CONFIGURATION = "/.well-known/openid-configuration"


def _key(alg: str) -> Any:
    if alg == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    if alg in ("RS256", "PS256"):
        return RSAKey.generate_key(2048)
    return ECKey.generate_key({"ES256": "P-256", "ES384": "P-384"}[alg])


def _signing_client(app, alg: str, *, alg_member: bool = True, **metadata: Any):
    """A private_key_jwt client whose JWK Set holds one key for `alg` (named in the key's `alg`
    member, RFC 7517 section 4.4, unless `alg_member` is false), registered without
    token_endpoint_auth_signing_alg, as the guide's commands do."""
    key = _key(alg)
    public = dict(key.as_dict(private=False), kid="agency-key")
    if alg_member:
        public["alg"] = alg
    agency = registered_agency(app, token_endpoint_auth_method="private_key_jwt", jwks={"keys": [public]},
                               **metadata)
    agency.key = key
    return agency


def _metadata(client) -> dict[str, Any]:
    return client.get(CONFIGURATION).get_json()


def _advertised(app, name: str) -> list[str]:
    return _metadata(app.test_client())[name]


def _assertion_form(agency, alg: str) -> dict[str, str]:
    return {"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": agency.assertion(alg=alg, key=agency.key)}


@pytest.mark.parametrize("endpoint", ["token_endpoint", "introspection_endpoint", "revocation_endpoint"])
def test_every_advertised_client_assertion_algorithm_authenticates(oidc_app, endpoint):  # noqa: F811
    client = oidc_app.test_client()
    metadata = _metadata(client)
    prefix = endpoint.removesuffix("_endpoint")
    algs = metadata[f"{prefix}_endpoint_auth_signing_alg_values_supported"]
    assert "private_key_jwt" in metadata[f"{prefix}_endpoint_auth_methods_supported"]
    path = urlsplit(metadata[endpoint]).path
    for alg in algs:
        agency = _signing_client(oidc_app, alg)
        form = {"grant_type": "refresh_token", "refresh_token": "unknown"} if prefix == "token" else {"token": "x"}
        answer = client.post(path, data={**form, **_assertion_form(agency, alg)})
        if prefix == "token":  # authenticated: the refresh token is what is refused
            assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant", (alg, answer.get_json())
        else:
            assert answer.status_code == 200, (alg, answer.get_data(as_text=True))


@pytest.mark.parametrize("alg", ["ES384", "RS256", "EdDSA"])
def test_a_key_without_alg_is_held_to_the_algorithm_of_its_type(oidc_app, alg):  # noqa: F811
    """An RSA (or P-384, or Ed25519) key registered without token_endpoint_auth_signing_alg was
    held to ES256: every assertion the agency signed with its own key was refused."""
    agency = _signing_client(oidc_app, alg, alg_member=False)
    assert agency.metadata["token_endpoint_auth_signing_alg"] == alg
    answer = oidc_app.test_client().post("/introspect", data={"token": "x", **_assertion_form(agency, alg)})
    assert answer.status_code == 200, answer.get_json()


def test_every_advertised_request_object_algorithm_is_accepted_at_par(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    for alg in _advertised(oidc_app, "request_object_signing_alg_values_supported"):
        agency = _signing_client(oidc_app, alg)
        signed = request_object(agency, request_claims(agency, Flow()), key=agency.key, alg=alg)
        answer = client.post("/par", data={"client_id": agency.client_id, "request": signed,
                                           **_assertion_form(agency, alg)})
        assert answer.status_code == 201, (alg, answer.get_json())


def test_every_advertised_dpop_algorithm_is_accepted(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    agency = registered_agency(oidc_app, token_endpoint_auth_method="none")
    for alg in _advertised(oidc_app, "dpop_signing_alg_values_supported"):
        key = DpopKey(key=_key(alg))
        form = {"client_id": agency.client_id, "response_type": "code", "redirect_uri": agency.redirect_uri,
                "scope": "openid", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256"}
        for _attempt in range(2):
            answer = client.post("/par", data=form, headers={"DPoP": key.proof("POST", ISSUER + "/par", alg=alg)})
            if answer.status_code == 400 and answer.get_json()["error"] == "use_dpop_nonce":
                key.remember(answer)
                continue
            break
        assert answer.status_code == 201, (alg, answer.get_json())


def test_every_advertised_id_token_algorithm_signs_the_id_token(oidc_app, client, citizen):  # noqa: F811
    keys = KeySet.import_key_set(client.get("/jwks.json").get_json())
    for alg in _advertised(oidc_app, "id_token_signing_alg_values_supported"):
        agency = registered_agency(oidc_app, id_token_signed_response_alg=alg)
        code, flow = get_code(client, agency)
        id_token = exchange(client, agency, code, flow).get_json()["id_token"]
        assert header_of(id_token)["alg"] == alg
        jwt.decode(id_token, keys, algorithms=[alg])  # verifies with a key of jwks_uri
