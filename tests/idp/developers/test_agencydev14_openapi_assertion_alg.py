"""`token_endpoint_auth_signing_alg` as /openapi.json describes it, against what registration
takes when a private_key_jwt portal names none (review, agencydev14).

ClientMetadata declared `"default": "ES256"`, but a registration without the member takes the
algorithm of the portal's keys (their JWK's alg, else RS256 for an RSA key, ES384 for P-384,
EdDSA for Ed25519, ES256 for P-256), as the guide says: a client generated from the document
signed its assertions with ES256 while Cédula waited for RS256, and every one was refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, OKPKey, RSAKey

from tests.idp.developers.conftest import initial  # noqa: F401 - the fixture

KEYS = {
    "rsa": lambda: RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    "p-384": lambda: ECKey.import_key(ec.generate_private_key(ec.SECP384R1())),
    "ed25519": lambda: OKPKey.generate_key("Ed25519"),
    "p-256": lambda: ECKey.import_key(ec.generate_private_key(ec.SECP256R1())),
}


@pytest.mark.parametrize(("kind", "alg"), [("rsa", "RS256"), ("p-384", "ES384"), ("ed25519", "EdDSA"),
                                           ("p-256", "ES256")])
def test_the_document_says_what_registration_takes_for_a_key_without_alg(client, initial, kind, alg):  # noqa: F811
    registered = client.post("/register", headers=initial, json={
        "client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"],
        "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [KEYS[kind]().as_dict(private=False)]}})
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["token_endpoint_auth_signing_alg"] == alg
    member = client.get("/openapi.json").get_json()["components"]["schemas"]["ClientMetadata"]["properties"][
        "token_endpoint_auth_signing_alg"]
    assert member.get("default", alg) == alg  # no one default stands for every key
    assert f"{alg} for" in member.get("description", ""), member
