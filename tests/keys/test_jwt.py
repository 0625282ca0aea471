"""sign_jwt / verify_jwt: the provider's tokens, and the exact reasons others are refused."""

from __future__ import annotations

import time

import pytest

from infra.db import get_db
from infra.jose import b64url, b64url_decode
from keys import InvalidJwt, InvalidRequest, jwks, sign_jwt, verify_jwt


def _claims(**extra):
    now = int(time.time())
    return {"iss": "http://localhost", "aud": "portal", "sub": "c1", "iat": now,
            "exp": now + 300, **extra}


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_round_trip(service, alg):
    token = sign_jwt(service, _claims(), alg=alg)
    header = __import__("json").loads(b64url_decode(token.split(".")[0]))
    assert header["alg"] == alg and header["typ"] == "JWT"
    assert header["kid"] in {k["kid"] for k in jwks(service)["keys"] if k["alg"] == alg}
    result = verify_jwt(token, algorithms=[alg], app=service, issuer="http://localhost",
                        audience="portal")
    assert result.claims["sub"] == "c1"
    assert result.kid == header["kid"]


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_independent_library_verifies_against_published_jwks(service, alg):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    token = sign_jwt(service, _claims(), alg=alg)
    decoded = jwt.decode(token, KeySet.import_key_set(jwks(service)), algorithms=[alg])
    assert decoded.claims["aud"] == "portal"


def test_tampered_signature(service):
    token = sign_jwt(service, _claims(), alg="ES256")
    head, body, sig = token.split(".")
    forged = b64url(bytes([b64url_decode(sig)[0] ^ 1]) + b64url_decode(sig)[1:])
    with pytest.raises(InvalidJwt, match=r"^the JWT signature does not verify$"):
        verify_jwt(f"{head}.{body}.{forged}", algorithms=["ES256"], app=service)


def test_tampered_claims(service):
    token = sign_jwt(service, _claims(), alg="RS256")
    head, _body, sig = token.split(".")
    body = b64url(b'{"sub":"admin","exp":9999999999}')
    with pytest.raises(InvalidJwt, match=r"^the JWT signature does not verify$"):
        verify_jwt(f"{head}.{body}.{sig}", algorithms=["RS256"], app=service)


def test_alg_not_allowed_and_none(service):
    token = sign_jwt(service, _claims(), alg="RS256")
    with pytest.raises(InvalidJwt, match=r"alg must be one of ES256, got 'RS256'"):
        verify_jwt(token, algorithms=["ES256"], app=service)
    none_header = b64url(b'{"alg":"none"}')
    unsigned = f"{none_header}.{b64url(b'{}')}."
    with pytest.raises(InvalidJwt, match=r"got 'none'"):
        verify_jwt(unsigned, algorithms=["ES256"], app=service)


def test_expired_and_wrong_audience(service):
    old = _claims(exp=int(time.time()) - 120)
    with pytest.raises(InvalidJwt, match=r"^the JWT expired at"):
        verify_jwt(sign_jwt(service, old), algorithms=["ES256"], app=service)
    with pytest.raises(InvalidJwt, match=r"aud must contain 'other', got 'portal'"):
        verify_jwt(sign_jwt(service, _claims()), algorithms=["ES256"], app=service,
                   audience="other")
    with pytest.raises(InvalidJwt, match=r"typ must be 'logout\+jwt', got 'JWT'"):
        verify_jwt(sign_jwt(service, _claims()), algorithms=["ES256"], app=service,
                   typ="logout+jwt")


def test_unknown_kid(service):
    token = sign_jwt(service, _claims(), headers={"cty": "x"})
    _head, body, sig = token.split(".")
    head = b64url(b'{"alg":"ES256","kid":"not-ours"}')
    with pytest.raises(InvalidJwt, match=r"kid 'not-ours' is not a published ES256 key"):
        verify_jwt(f"{head}.{body}.{sig}", algorithms=["ES256"], app=service)


def test_garbage(service):
    for token in ("", "a.b", "!!.??.##", "e30.e30.e30"):
        with pytest.raises(InvalidJwt):
            verify_jwt(token, algorithms=["ES256"], app=service)


def test_sign_refuses_long_lived_tokens_and_reserved_headers(service):
    too_long = _claims(exp=int(time.time()) + 10 * 86400)
    with pytest.raises(InvalidRequest, match=r"tokens may live at most jwks.max_token_seconds"):
        sign_jwt(service, too_long)
    with pytest.raises(InvalidRequest, match=r"headers may not set kid"):
        sign_jwt(service, _claims(), headers={"kid": "mine"})
    with pytest.raises(InvalidRequest, match=r"alg must be one of ES256, RS256, got 'HS256'"):
        sign_jwt(service, _claims(), alg="HS256")


def test_keys_are_cached_no_query_per_signature(service, fresh_app):
    import sqlalchemy as sa

    sign_jwt(service, _claims())
    statements = []
    engine = get_db(fresh_app).engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(20):
            verify_jwt(sign_jwt(service, _claims()), algorithms=["ES256"], app=service)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 2  # at most the periodic staleness check


def test_protected_header_is_exactly_alg_kid_typ_then_extra_members(service):
    """The header encoded once per key and typ (issue 16) is the header built for each token."""
    import json

    def header(token: str) -> str:
        return b64url_decode(token.split(".")[0]).decode()

    for _ in range(2):  # built, then reused
        at = sign_jwt(service, _claims(), alg="ES256", typ="at+jwt")
        plain = sign_jwt(service, _claims(), alg="ES256", typ=None)
        extra = sign_jwt(service, _claims(), alg="ES256", typ="JWT", headers={"x-ref": "1"})
        kid = json.loads(header(at))["kid"]
        assert header(at) == json.dumps({"alg": "ES256", "kid": kid, "typ": "at+jwt"}, separators=(",", ":"))
        assert header(plain) == json.dumps({"alg": "ES256", "kid": kid}, separators=(",", ":"))
        assert header(extra) == json.dumps({"alg": "ES256", "kid": kid, "typ": "JWT", "x-ref": "1"},
                                           separators=(",", ":"))
        assert verify_jwt(at, algorithms=["ES256"], app=service, typ="at+jwt").kid == kid


def test_ecdsa_der_to_raw_reads_as_decode_dss_signature() -> None:
    """The sliced reading of DER signatures (issue 16) gives what decode_dss_signature gives,
    for real signatures and for r, s of every length; malformed DER is still refused."""
    import pytest
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from keys.algorithms import ecdsa_der_to_raw

    def reference(signature: bytes, bits: int) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
        r, s = decode_dss_signature(signature)
        width = (bits + 7) // 8
        return r.to_bytes(width, "big") + s.to_bytes(width, "big")

    for curve, bits in ((ec.SECP256R1(), 256), (ec.SECP384R1(), 384)):
        key = ec.generate_private_key(curve)
        for i in range(200):
            der = key.sign(b"message %d" % i, ec.ECDSA(hashes.SHA256()))
            assert ecdsa_der_to_raw(der, bits) == reference(der, bits)
        for r, s in ((1, 1), (0x7F, 0x80), (0xFF, 2**255), (2**256 - 1, 2**200), (2**248, 5)):
            der = encode_dss_signature(r, s)
            assert ecdsa_der_to_raw(der, bits) == reference(der, bits)
    valid = encode_dss_signature(2**255, 3)
    for broken in (valid[:-1], valid + b"\x00", b"\x31" + valid[1:], b"", b"\x30\x00"):
        with pytest.raises(ValueError):
            ecdsa_der_to_raw(broken, 256)
    # non-minimal INTEGERs are not read by slicing: decode_dss_signature judges them
    padded = b"\x30\x07\x02\x02\x00\x01\x02\x01\x01"
    try:
        expected = reference(padded, 256)
    except ValueError:
        with pytest.raises(ValueError):
            ecdsa_der_to_raw(padded, 256)
    else:
        assert ecdsa_der_to_raw(padded, 256) == expected


def test_sign_takes_exp_as_a_number_only(service):
    """`exp` is a NumericDate: an int or a float (or a subclass) is signed, a bool or a string
    is refused, as `isinstance(exp, int | float)` decided before the check lost its union."""

    class Seconds(int):
        pass

    now = int(time.time())
    for exp in (now + 300, float(now + 300), Seconds(now + 300)):
        assert verify_jwt(sign_jwt(service, _claims(exp=exp)), algorithms=["ES256"], app=service).claims["exp"] == exp
    for exp, name in ((True, "bool"), (str(now + 300), "str")):
        with pytest.raises(InvalidRequest, match=rf"exp must be a NumericDate \(seconds\), got {name}"):
            sign_jwt(service, _claims(exp=exp))
    with pytest.raises(InvalidRequest, match=r"exp is 8640\d\d s away"):
        sign_jwt(service, _claims(exp=float(now + 864_010)))
