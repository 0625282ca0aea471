"""An agency whose key is RSA (or P-384, or Ed25519) registered by an operator with the guide's
command: its assertions must be accepted with the algorithm its key signs with. The command
held every such client to ES256 and had no option to say otherwise."""

from __future__ import annotations

import json

import pytest
from joserfc.jwk import ECKey, OKPKey, RSAKey

from tests.idp.developers.test_guide_examples import cedula  # noqa: F401 - the fixture

_KEYS = {
    "RS256": lambda: RSAKey.generate_key(2048),
    "ES384": lambda: ECKey.generate_key("P-384"),
    "EdDSA": lambda: OKPKey.generate_key("Ed25519"),
    "ES256": lambda: ECKey.generate_key("P-256"),
}


def _register(cedula, tmp_path, key, *extra: str, **jwk: str) -> dict:  # noqa: F811
    """Register a private_key_jwt client with the guide's command, its public `key` (with the
    JWK members `jwk`) in its JWKS file."""
    public = key.as_dict(private=False, kid="k1", **jwk)
    (tmp_path / "public.jwks.json").write_text(json.dumps({"keys": [public]}))
    return json.loads(
        cedula(
            [
                "clients",
                "register",
                "--name",
                "Registro Civil",
                "--redirect-uri",
                "https://registro.example.gob/callback",
                "--auth-method",
                "private_key_jwt",
                "--jwks",
                str(tmp_path / "public.jwks.json"),
                *extra,
            ]
        )
    )


@pytest.mark.parametrize("alg", sorted(_KEYS))
def test_the_assertion_algorithm_follows_the_registered_key(cedula, tmp_path, alg):  # noqa: F811
    created = _register(cedula, tmp_path, _KEYS[alg]())
    assert created["token_endpoint_auth_signing_alg"] == alg


def test_the_operator_names_the_assertion_algorithm(cedula, tmp_path):  # noqa: F811
    created = _register(cedula, tmp_path, RSAKey.generate_key(2048), "--assertion-alg", "PS256")
    assert created["token_endpoint_auth_signing_alg"] == "PS256"


def test_a_key_naming_its_algorithm_is_held_to_it(cedula, tmp_path):  # noqa: F811
    created = _register(cedula, tmp_path, RSAKey.generate_key(2048), alg="PS256")
    assert created["token_endpoint_auth_signing_alg"] == "PS256"
