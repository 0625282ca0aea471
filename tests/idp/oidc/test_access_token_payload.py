"""`tokens.access_token_payload` and `tokens.id_token_payload`: the tokens' JSON text written
from one f-string (issue 16) is byte for byte what the signer's encoder (`keys.jose.encode_json`)
writes, and anything else is left to that encoder."""

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


def _id_claims(*, nonce="n-1", access_token="at", extra=None, **values):
    authentication = tokens.Authentication(auth_time=1_765_000_000, acr=values.pop("acr", "urn:cedula:loa:2"),
                                           amr=values.pop("amr", ("hwk", "user")), sid=values.pop("sid", "sid-1"))
    return tokens.id_token_claims(
        issuer=values.pop("issuer", "https://id.example"), subject=values.pop("subject", "pairwise-sub"),
        client_id="agency", now=1_765_000_100, lifetime=300, authentication=authentication, nonce=nonce,
        access_token=access_token, alg="ES256", extra=extra)


@pytest.mark.parametrize("claims", [
    _id_claims(),
    _id_claims(nonce=None, access_token=None),  # the fixed members only
    _id_claims(amr=()),
    _id_claims(extra={"given_name": "José", "family_name": 'O"Brien\\', "birthdate": "1990-01-02",
                      "email_verified": True, "address": {"locality": "Cuenca"}, "score": 1.5,
                      "iss": "not this one"}),  # a release cannot change a member already written
    _id_claims(issuer="https://id.example/é", subject="a\u2028b\x01", acr='urn:"x"', amr=("pwd", "ñ"), sid="s\n"),
])
def test_id_token_written_as_the_encoder_writes_it(claims):
    assert tokens.id_token_payload(claims) == encode_json(claims)


def test_other_id_token_claims_are_left_to_the_encoder():
    usual = _id_claims()
    reordered = {"sub": usual["sub"], **usual}
    for other in (reordered, {**usual, "exp": 1.5}, {**usual, "iat": False}, {**usual, "amr": ("hwk",)},
                  {**usual, "amr": ["hwk", 1]}, {**usual, "acr": None}, {**usual, "sid": 3},
                  {name: value for name, value in usual.items() if name != "amr"}):
        assert tokens.id_token_payload(other) is None, other
