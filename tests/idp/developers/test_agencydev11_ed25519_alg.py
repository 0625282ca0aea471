"""An agency whose key is Ed25519 and whose portal is built on openid-client (oauth4webapi, and
`jose` under it) signs its client assertions, DPoP proofs and request objects with `alg`
`Ed25519`: the fully-specified name RFC 9864 section 2.2 registers for EdDSA with an Ed25519
key (and deprecates `EdDSA` for). Cédula advertised `EdDSA` and took no other name, so such a
portal was refused at every call ("client_assertion must be signed with EdDSA ..., got
'Ed25519'"; "the DPoP proof must be signed with an asymmetric algorithm (...), got 'Ed25519'"),
although the signature was one it verifies. Both names are now the same algorithm."""

from __future__ import annotations

from joserfc import jwt
from joserfc.jwk import OKPKey

from tests.idp.oidc.conftest import Flow, oidc_app, register  # noqa: F401 - the fixtures
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.support.dpop import DpopKey

ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _ed25519_agency(register):  # noqa: F811
    key = OKPKey.generate_key("Ed25519")
    agency = register(token_endpoint_auth_method="private_key_jwt",
                      jwks={"keys": [key.as_dict(private=False, kid="agency-key")]})
    agency.key = key
    assert agency.metadata["token_endpoint_auth_signing_alg"] == "EdDSA"
    return agency


def test_a_client_assertion_signed_as_ed25519_authenticates_an_eddsa_client(oidc_app, register):  # noqa: F811
    agency = _ed25519_agency(register)
    for alg in ("Ed25519", "EdDSA"):
        answer = oidc_app.test_client().post("/revoke", data={
            "token": "an-unknown-token", "client_assertion_type": ASSERTION,
            "client_assertion": agency.assertion(alg=alg)})
        assert answer.status_code == 200, (alg, answer.get_data(as_text=True))


def test_an_ed25519_assertion_still_needs_an_eddsa_client(oidc_app, register):  # noqa: F811
    agency = register(token_endpoint_auth_method="private_key_jwt")  # a P-256 key: ES256
    key = OKPKey.generate_key("Ed25519")
    claims = {"iss": agency.client_id, "sub": agency.client_id}
    assertion = jwt.encode({"alg": "Ed25519", "kid": "agency-key"}, claims, key, algorithms=["Ed25519"])
    answer = oidc_app.test_client().post("/revoke", data={"token": "t", "client_assertion_type": ASSERTION,
                                                          "client_assertion": assertion})
    assert answer.status_code == 401
    assert answer.get_json()["error_description"] == (
        "client_assertion must be signed with ES256 (the registered token_endpoint_auth_signing_alg), got 'Ed25519'")


def test_a_dpop_proof_signed_as_ed25519_binds_the_token(oidc_app, register):  # noqa: F811
    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"],
                      dpop_bound_access_tokens=True)
    client = oidc_app.test_client()
    key = DpopKey(key=OKPKey.generate_key("Ed25519"))
    form, headers = agency.auth({"grant_type": "client_credentials"})
    first = client.post("/token", data=form,
                        headers={**headers, "DPoP": key.proof("POST", "http://localhost/token", alg="Ed25519")})
    key.nonce = first.headers.get("DPoP-Nonce")
    form, headers = agency.auth({"grant_type": "client_credentials"})
    issued = client.post("/token", data=form,
                         headers={**headers, "DPoP": key.proof("POST", "http://localhost/token", alg="Ed25519")})
    assert issued.status_code == 200, issued.get_data(as_text=True)
    assert issued.get_json()["token_type"] == "DPoP"


def test_a_request_object_signed_as_ed25519_is_pushed(oidc_app, register):  # noqa: F811
    agency = _ed25519_agency(register)
    pushed = oidc_app.test_client().post("/par", data={
        "client_id": agency.client_id, "client_assertion_type": ASSERTION,
        "client_assertion": agency.assertion(alg="EdDSA"),
        "request": request_object(agency, request_claims(agency, Flow()), alg="Ed25519")})
    assert pushed.status_code == 201, pushed.get_json()


def test_the_guide_says_both_names_are_taken():
    from idp.developers.views import SOURCE

    assert "taken under its fully-specified name `Ed25519` (RFC 9864)" in SOURCE.read_text(encoding="utf-8")


def test_a_key_naming_ed25519_registers_an_eddsa_client_its_assertions_authenticate(oidc_app, register):  # noqa: F811
    key = OKPKey.generate_key("Ed25519")
    agency = register(token_endpoint_auth_method="private_key_jwt",
                      jwks={"keys": [key.as_dict(private=False, kid="agency-key", alg="Ed25519")]})
    agency.key = key
    assert agency.metadata["token_endpoint_auth_signing_alg"] == "EdDSA"  # was ES256: no assertion could pass
    answer = oidc_app.test_client().post("/revoke", data={
        "token": "an-unknown-token", "client_assertion_type": ASSERTION,
        "client_assertion": agency.assertion(alg="Ed25519")})
    assert answer.status_code == 200, answer.get_data(as_text=True)
