"""infra.jose: the one base64url helper and compact JWS reading, through joserfc."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import BadSignatureError, ExceededSizeError, UnsupportedAlgorithmError, UnsupportedHeaderError
from joserfc.jwk import ECKey
from joserfc.registry import HeaderParameter

from infra.jose import (
    JoseError,
    Limits,
    b64url,
    b64url_decode,
    header_and_claims,
    numeric_date,
    public_key,
    unverified,
    verify_compact,
)

KEY = ECKey.generate_key("P-256")
OTHER = ECKey.generate_key("P-256")


def token(header: dict, claims: object, key=KEY) -> str:
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["ES256"])


def test_base64url_round_trip_without_padding():
    assert b64url(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"


@pytest.mark.parametrize("text", ["-_8=", "+/8", "-_9", "a", "é"])
def test_base64url_is_strict(text):
    """Padding, the standard alphabet, stray bits and impossible lengths are refused."""
    with pytest.raises(ValueError):
        b64url_decode(text)


def test_padding_only_where_asked_for():
    assert b64url_decode("-_8=", padding=True) == b"\xfb\xff"


def test_verified_header_and_claims():
    verified = verify_compact(token({"alg": "ES256", "kid": "k1"}, {"sub": "x"}), KEY, algorithms=["ES256"])
    assert verified.header == {"alg": "ES256", "kid": "k1"}
    assert verified.claims() == {"sub": "x"}


def test_another_key_is_a_bad_signature():
    with pytest.raises(BadSignatureError):
        verify_compact(token({"alg": "ES256"}, {}), OTHER, algorithms=["ES256"])


def test_alg_none_and_unlisted_algorithms_are_refused():
    unsigned = b64url(b'{"alg":"none"}') + "." + b64url(b"{}") + "."
    with pytest.raises(UnsupportedAlgorithmError):
        verify_compact(unsigned, KEY, algorithms=["ES256"])
    with pytest.raises(UnsupportedAlgorithmError):
        verify_compact(token({"alg": "ES256"}, {}), KEY, algorithms=["RS256"])


def test_unknown_critical_header_is_refused():
    """RFC 7515 section 4.1.11: a `crit` parameter the recipient does not understand fails it."""
    knows_it = jws.JWSRegistry(header_registry={"urn:x": HeaderParameter("test", "int")}, algorithms=["ES256"])
    signed = jws.serialize_compact({"alg": "ES256", "crit": ["urn:x"], "urn:x": 1}, b"{}", KEY, registry=knows_it)
    assert jws.deserialize_compact(signed, KEY, registry=knows_it).payload == b"{}"  # well-formed
    with pytest.raises(UnsupportedHeaderError, match="urn:x"):
        verify_compact(signed, KEY, algorithms=["ES256"])


def test_oversized_header_is_refused_unless_the_caller_reads_big_ones():
    big = token({"alg": "ES256", "kid": "k" * 600}, {})
    with pytest.raises(ExceededSizeError):
        unverified(big)
    assert unverified(big, limits=Limits(header=2048)).header["kid"] == "k" * 600


def test_payload_that_is_not_an_object_is_refused():
    with pytest.raises(JoseError, match="not a JSON object"):
        verify_compact(token({"alg": "ES256"}, [1, 2]), KEY, algorithms=["ES256"]).claims()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_payload_with_nan_or_infinity_is_not_json(constant):
    """Python's json reads NaN and Infinity; RFC 8259 does not: an iat of NaN passed every
    "is it too old" comparison (a DPoP proof that never expires)."""
    payload = ('{"iat": ' + constant + ', "jti": "x"}').encode()
    signed = jws.serialize_compact({"alg": "ES256"}, payload, KEY, algorithms=["ES256"])
    with pytest.raises(JoseError, match="not JSON"):
        verify_compact(signed, KEY, algorithms=["ES256"]).claims()
    with pytest.raises(JoseError, match="not JSON"):
        unverified(signed).claims()


@pytest.mark.parametrize("value", ["a.b", "not a token", "é.é.é", "e30.e30.e30.e30"])
def test_what_is_not_a_compact_jws(value):
    with pytest.raises(JoseError):
        unverified(value)


def test_header_and_claims_raise_the_callers_error():
    """One reader for the DPoP proof and the request object: header and claims before the
    signature is checked, the caller's error (and words) when it is not a compact JWS."""
    signed = token({"alg": "ES256", "typ": "x"}, {"a": 1})
    assert header_and_claims(signed, max_length=1000, error=Refused, what="the proof") == (
        {"alg": "ES256", "typ": "x"}, {"a": 1})
    with pytest.raises(Refused, match=r"^the proof is not a compact JWS \(RFC 1\)$"):
        header_and_claims(signed, max_length=10, error=Refused, what="the proof", reference="RFC 1")
    with pytest.raises(Refused, match=r"^the proof is not a compact JWS"):
        header_and_claims("a.b", max_length=1000, error=Refused, what="the proof")
    not_object = token({"alg": "ES256"}, [1])
    with pytest.raises(Refused, match=r"whose header and payload are JSON objects$"):
        header_and_claims(not_object, max_length=1000, error=Refused, what="the proof")
    with pytest.raises(Refused):  # the caller's limits apply
        header_and_claims(signed, max_length=1000, error=Refused, what="the proof",
                          limits=Limits(header=8, payload=8))


def test_public_key_from_spki():
    private = ec.generate_private_key(ec.SECP256R1())
    spki = private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    signer = ECKey.import_key(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    signed = jws.serialize_compact({"alg": "ES256"}, b"{}", signer, algorithms=["ES256"])
    assert verify_compact(signed, public_key(spki), algorithms=["ES256"]).payload == b"{}"


class Refused(Exception):
    pass


def test_numeric_date_is_seconds_or_absent():
    assert numeric_date({"exp": 1700000000}, "exp", error=Refused) == 1700000000.0
    assert numeric_date({"exp": 1.5}, "exp", error=Refused) == 1.5
    assert numeric_date({}, "exp", error=Refused) is None


@pytest.mark.parametrize("value", [True, "1700000000", [1], {"t": 1}, float("nan"), float("inf"), float("-inf")])
def test_numeric_date_that_is_not_a_number_raises_the_callers_error(value):
    with pytest.raises(Refused, match=r"^the token's nbf must be a NumericDate, got "):
        numeric_date({"nbf": value}, "nbf", error=Refused, what="the token's ")
