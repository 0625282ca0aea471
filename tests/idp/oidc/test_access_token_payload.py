"""`tokens.access_token_payload`: the usual access token's JSON text written from one f-string
(issue 16) is byte for byte what the signer's encoder (`keys.jose.encode_json`) writes, and
anything else is left to that encoder. (The ID token's is not written so: its released claims
still need the encoder, and splicing the two counted more instructions than encoding it whole.)"""

from __future__ import annotations

import pytest

from idp.oidc import tokens
from keys.jose import encode_json


def _claims(**values):
    authentication = tokens.Authentication(auth_time=1_765_000_000, acr=values.pop("acr", "urn:cedula:loa:2"),
                                           amr=("hwk",), sid="sid")
    return tokens.access_token_claims(
        issuer=values.pop("issuer", "https://id.example"), subject=values.pop("subject", "pairwise-sub"),
        client_id=values.pop("client_id", "agency"), now=1_765_000_100, lifetime=300,
        scopes=values.pop("scopes", ["openid", "profile"]), grant_id=values.pop("grant_id", "g-1"),
        authentication=authentication, audience=values.pop("audience", None))


@pytest.mark.parametrize("claims", [
    _claims(),
    _claims(audience="https://docs.example/api"),
    # what JSON escapes: quotes, backslashes, controls, line separators; what it keeps: non-ASCII
    _claims(issuer="https://id.example/é", subject='a"b\\c\u2028d\x01', client_id="agencia-ñ",
            scopes=["openid", "tél"], acr='urn:"x"', grant_id="g\n1"),
])
def test_written_as_the_encoder_writes_it(claims):
    assert tokens.access_token_payload(claims) == encode_json(claims)


def test_anything_else_is_left_to_the_encoder():
    usual = _claims()
    bound = {**usual, "cnf": {"jkt": "thumb"}}  # a DPoP-bound token: another member
    reordered = dict(reversed(list(usual.items())))
    missing = {name: value for name, value in usual.items() if name != "grant"}
    for other in (bound, reordered, missing, {**usual, "iat": True}, {**usual, "exp": 1.5},
                  {**usual, "auth_time": "1"}, {**usual, "sub": 7}, {**usual, "scope": None}):
        assert tokens.access_token_payload(other) is None, other
    # ... which, handed no payload, the signer encodes itself
    assert tokens.access_token_payload(type("Claims", (dict,), {})(usual)) is None

