"""walletatk2: the key binding JWT of a PID presented to Cédula must use an algorithm the
request advertised (`client_metadata.vp_formats_supported["dc+sd-jwt"]["kb-jwt_alg_values"]`,
OpenID4VP 1.0 section 11.1 / Appendix B.3.2: ES256, ES384). Before the fix the verifier
advertised those but accepted RS256 and PS256 too, with an RSA `cnf` key of any size: a PID
bound to a 1024-bit RSA key was accepted, whose key binding a factored key forges."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import json
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from idp.wallet import sd_jwt
from tests.idp.wallet.test_proofing import (  # noqa: F401
    REVEAL,
    _pid_claims,
    _request,
    _respond,
    citizen,
    pid_issuer,
)


def _rsa_presentation(pid_issuer, params, *, bits: int, alg: str) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    key = RSAKey.import_key(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    credential = sd_jwt.parse(pid_issuer.issue(holder_jwk=key.as_dict(private=False),
                                               claims=_pid_claims()))
    payload = json.loads(sd_jwt.jose.b64url_decode(credential.jws.split(".")[1]))
    shown = sd_jwt.select(credential.disclosures, payload, REVEAL)
    without_kb = sd_jwt.serialize(credential.jws, shown)
    claims = {"iat": int(time.time()), "aud": params["client_id"], "nonce": params["nonce"],
              "sd_hash": sd_jwt.sd_hash(without_kb)}
    kb = jws.serialize_compact({"alg": alg, "typ": "kb+jwt"}, json.dumps(claims).encode(), key,
                               algorithms=[alg])
    return without_kb + kb


def test_the_request_advertises_only_ec_key_binding(web, citizen, pid_issuer):
    params = _request(web)
    formats = json.loads(params["client_metadata"])["vp_formats_supported"]["dc+sd-jwt"]
    assert formats["kb-jwt_alg_values"] == ["ES256", "ES384"]


def test_an_rs256_key_binding_with_a_weak_rsa_key_is_refused(web, citizen, pid_issuer):
    params = _request(web)
    response = _respond(web, params, _rsa_presentation(pid_issuer, params, bits=1024, alg="RS256"))
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid_sd_jwt"
    assert "kb-jwt_alg_values" in body["error_description"]


def test_a_ps256_key_binding_is_refused_too(web, citizen, pid_issuer):
    params = _request(web)
    response = _respond(web, params, _rsa_presentation(pid_issuer, params, bits=2048, alg="PS256"))
    assert response.status_code == 400, response.get_json()
    assert "kb-jwt_alg_values" in response.get_json()["error_description"]
