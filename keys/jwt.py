"""Sign and verify JWTs with the provider's own keys (RFC 7519 over JWS, RFC 7515).

`sign_jwt` uses the current key for the algorithm and names it in `kid`; `verify_jwt`
accepts only tokens signed by a key still in the JWKS. Both use the in-memory keyring: no
key unwrapping and no database read per call beyond the periodic staleness check.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc.errors import BadSignatureError

from infra.jose import JoseError, b64url, numeric_date, public_key, unverified, verify_compact
from keys.algorithms import ecdsa_der_to_raw
from keys.errors import InvalidJwt, InvalidRequest
from keys.jose import JWS_ALGORITHMS, encode_json
from keys.rotation import Keyring

_RESERVED_HEADERS = {"alg", "kid", "typ", "crit", "jku", "jwk", "x5u", "x5c", "b64"}
_NUMBERS = (int, float)


@dataclass(frozen=True)
class VerifiedJwt:
    """A JWT whose signature and time claims held: its header, its claims, its key id."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    kid: str


def sign(keyring: Keyring, claims: Mapping[str, Any], *, alg: str, typ: str | None,
         headers: Mapping[str, Any] | None, now: datetime) -> str:
    """A compact JWS over `claims` (RFC 7519, section 7.1) with `kid` of the current key."""
    if type(claims) is not dict and not isinstance(claims, Mapping):
        raise InvalidRequest("claims must be a mapping")
    extra = dict(headers) if headers else None
    if extra:
        clash = _RESERVED_HEADERS & set(extra)
        if clash:
            raise InvalidRequest(f"headers may not set {', '.join(sorted(clash))}; they are set here")
    exp = claims.get("exp")
    if exp is not None:
        # `isinstance(exp, int | float)` without making the union per token (issue 16)
        if type(exp) is not int and type(exp) is not float and (isinstance(exp, bool) or not isinstance(exp, _NUMBERS)):
            raise InvalidRequest(f"exp must be a NumericDate (seconds), got {type(exp).__name__}")
        # `now + keyring.max_token`, in seconds (no datetime made per token)
        moment = now.timestamp()
        if exp > moment + keyring.max_token.total_seconds():
            raise InvalidRequest(
                f"exp is {int(exp - moment)} s away; tokens may live at most "
                f"jwks.max_token_seconds = {int(keyring.max_token.total_seconds())} s, so that "
                "a retired key can leave the JWKS once its tokens expired"
            )
    key = keyring.current(alg, now)
    protected = _protected(alg, key.kid, typ) if not extra else _encode_header(alg, key.kid, typ, extra)
    signing_input = f"{protected}.{b64url(encode_json(claims if type(claims) is dict else dict(claims)))}"
    spec = JWS_ALGORITHMS[alg]
    signature = keyring.custody.sign(key.key, signing_input.encode("ascii"), hash_name=spec.hash)
    if spec.kind == "ec":
        signature = ecdsa_der_to_raw(signature, spec.curve_bits or 256)
    return f"{signing_input}.{b64url(signature)}"


def _encode_header(alg: str, kid: str, typ: str | None, extra: Mapping[str, Any]) -> str:
    """The protected header, base64url-encoded (RFC 7515 section 7.1): alg, kid, typ, then `extra`."""
    header: dict[str, Any] = {"alg": alg, "kid": kid}
    if typ:
        header["typ"] = typ
    header.update(extra)
    return b64url(encode_json(header))


_PROTECTED: dict[tuple[str, str, str | None], str] = {}
_PROTECTED_KEPT = 64  # a few algorithms x current and next keys x token types


def _protected(alg: str, kid: str, typ: str | None) -> str:
    """`_encode_header` without extra members, encoded once per (alg, kid, typ): the same bytes
    for every token a key signs (issue 16)."""
    encoded = _PROTECTED.get((alg, kid, typ))
    if encoded is None:
        if len(_PROTECTED) >= _PROTECTED_KEPT:
            _PROTECTED.clear()
        encoded = _PROTECTED[(alg, kid, typ)] = _encode_header(alg, kid, typ, {})
    return encoded


def _typ_matches(actual: Any, expected: str) -> bool:
    """`typ` compares case-insensitively with "application/" optional (RFC 7515, 4.1.9)."""
    if not isinstance(actual, str):
        return False

    def norm(value: str) -> str:
        value = value.lower()
        return value[len("application/"):] if value.startswith("application/") else value

    return norm(actual) == norm(expected)


def verify(keyring: Keyring, token: str, *, algorithms: Collection[str], now: datetime,
           issuer: str | None = None, audience: str | None = None, typ: str | None = None,
           leeway: int = 30, require: Collection[str] = ("exp",)) -> VerifiedJwt:
    """Check signature (RFC 7515, 5.2) and claims exp/nbf/iat/iss/aud (RFC 7519, 4.1)."""
    try:
        header = unverified(token).header  # only to choose the key
    except JoseError as exc:
        raise InvalidJwt(f"the JWT is not a compact JWS: {exc}") from None
    alg = header.get("alg")
    if alg not in algorithms or alg not in JWS_ALGORITHMS:
        raise InvalidJwt(f"alg must be one of {', '.join(sorted(algorithms))}, got {alg!r}")
    if typ is not None and not _typ_matches(header.get("typ"), typ):
        raise InvalidJwt(f"typ must be {typ!r}, got {header.get('typ')!r}")
    kid = header.get("kid")
    key = next((k for k in keyring.published(now) if k.kid == kid and k.alg == alg), None)
    if key is None:
        raise InvalidJwt(f"kid {kid!r} is not a published {alg} key of this provider")
    try:
        verified = verify_compact(token, public_key(key.public_key), algorithms=[alg])
    except BadSignatureError:
        raise InvalidJwt("the JWT signature does not verify") from None
    except JoseError as exc:
        raise InvalidJwt(f"the JWT is refused: {exc}") from None
    try:
        claims = verified.claims()
    except JoseError as exc:
        raise InvalidJwt(f"the JWT {exc}") from None
    for name in require:
        if name not in claims:
            raise InvalidJwt(f"the JWT has no {name} claim")
    _check_times(claims, now=now, leeway=timedelta(seconds=leeway))
    if issuer is not None and claims.get("iss") != issuer:
        raise InvalidJwt(f"iss must be {issuer!r}, got {claims.get('iss')!r}")
    if audience is not None:
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if audience not in audiences:
            raise InvalidJwt(f"aud must contain {audience!r}, got {aud!r}")
    return VerifiedJwt(verified.header, claims, str(kid))


def _check_times(claims: Mapping[str, Any], *, now: datetime, leeway: timedelta) -> None:
    current = now.timestamp()
    slack = leeway.total_seconds()
    exp = numeric_date(claims, "exp", error=InvalidJwt)
    if exp is not None and current >= exp + slack:
        raise InvalidJwt(f"the JWT expired at {int(exp)} (now {int(current)})")
    nbf = numeric_date(claims, "nbf", error=InvalidJwt)
    if nbf is not None and current + slack < nbf:
        raise InvalidJwt(f"the JWT is not valid before {int(nbf)} (now {int(current)})")
    iat = numeric_date(claims, "iat", error=InvalidJwt)
    if iat is not None and iat > current + slack:
        raise InvalidJwt(f"the JWT was issued in the future ({int(iat)}, now {int(current)})")
