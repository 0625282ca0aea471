"""JOSE for every package: base64url (RFC 7515 section 2) and reading compact JWS (RFC 7515
section 7.1), all through joserfc, with its size limits and `crit` handling.

Signing stays with whoever holds the key (`keys/` signs through key custody); every parse and
every signature check goes through here or through joserfc directly, never a hand-written copy.

    token = verify_compact(token, key, algorithms=["ES256"])   # JoseError if not
    claims = token.claims()                                      # JoseError if not a JSON object
    header = unverified(token).header                           # to choose the key, nothing more
"""

from __future__ import annotations

import binascii
import json
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key
from joserfc.util import urlsafe_b64decode

_URLSAFE = bytes.maketrans(b"+/", b"-_")

__all__ = ["CompactJws", "JoseError", "Limits", "b64url", "b64url_decode", "header_and_claims", "numeric_date",
           "public_key", "unverified", "verify_compact"]


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2; RFC 4648 section 5): the C encoder and one
    translation (several per token; a third faster than `urlsafe_b64encode`'s two)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def b64url_decode(text: str | bytes, *, padding: bool = False) -> bytes:
    """Strict base64url: no `+` or `/`, no stray bits, no padding (with `padding=True`, `=`
    padding is also accepted, for values people paste); ValueError if not."""
    try:
        data = text.encode("ascii") if isinstance(text, str) else text
    except UnicodeEncodeError:
        raise ValueError("not base64url: non-ASCII characters") from None
    if padding:
        data = data.rstrip(b"=")
    try:
        return urlsafe_b64decode(data)
    except (binascii.Error, TypeError):
        raise ValueError("not unpadded base64url (RFC 7515 section 2)") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON (RFC 8259 section 6)")


@dataclass(frozen=True)
class CompactJws:
    """A compact JWS read by joserfc: its protected header and its payload bytes."""

    header: dict[str, Any]
    payload: bytes

    def claims(self) -> dict[str, Any]:
        """The payload as a JSON object (a JWT claims set); JoseError if it is not one."""
        try:  # RFC 8259 has no NaN or Infinity: Python's json reads them unless told not to
            value = json.loads(self.payload, parse_constant=_not_json)
        except ValueError:
            raise JoseError("the payload is not JSON") from None
        if not isinstance(value, dict):
            raise JoseError("the payload is not a JSON object")
        return value


@dataclass(frozen=True)
class Limits:
    """Largest header and payload segments read (base64url characters); joserfc's defaults
    (512 and 128,000) unless a caller reads bigger documents (an x5c chain, an MDS BLOB)."""

    header: int = jws.JWSRegistry.max_header_length
    payload: int = jws.JWSRegistry.max_payload_length


DEFAULT_LIMITS = Limits()


def numeric_date(claims: Mapping[str, Any], name: str, *, error: Callable[[str], Exception],
                 what: str = "") -> float | None:
    """The NumericDate claim `name` (RFC 7519 section 2) as seconds, None when it is absent;
    `error(sentence)` is raised when it is not a JSON number (true and false are not numbers).
    `what` names the token at the start of that sentence ("client_assertion ")."""
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise error(f"{what}{name} must be a NumericDate, got {value!r}")
    return float(value)


@lru_cache(maxsize=16)
def _registry(algorithms: tuple[str, ...] | None, limits: Limits) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=list(algorithms) if algorithms else None)
    registry.max_header_length = limits.header
    registry.max_payload_length = limits.payload
    return registry


def unverified(token: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> CompactJws:
    """Header and payload of a compact JWS *before* its signature is checked: only to choose
    the key that will check it. JoseError when it is not a compact JWS within the limits."""
    try:
        value = token.encode("ascii") if isinstance(token, str) else token
    except UnicodeEncodeError:
        raise JoseError("a compact JWS is ASCII") from None
    extracted = jws.extract_compact(value, registry=_registry(None, limits))
    return CompactJws(dict(extracted.headers()), extracted.payload)


def header_and_claims(token: str, *, max_length: int, error: Callable[[str], Exception], what: str,
                      reference: str = "", limits: Limits = DEFAULT_LIMITS
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a compact JWS *before* its signature is checked (to choose the
    key and run the checks that come first), for a caller with its own error: `error(sentence)`
    when it is not a compact JWS of at most `max_length` characters within `limits` whose header
    and payload are JSON objects. `what` names the token ("the DPoP proof"), `reference` the
    section that says it must be one ("RFC 9449 section 4.3")."""
    if token.count(".") != 2 or len(token) > max_length:
        raise error(f"{what} is not a compact JWS" + (f" ({reference})" if reference else ""))
    try:
        read = unverified(token, limits=limits)
        return read.header, read.claims()
    except JoseError:
        raise error(f"{what} is not a compact JWS whose header and payload are JSON objects") from None


def verify_compact(token: str | bytes, key: Any, *, algorithms: Collection[str],
                   limits: Limits = DEFAULT_LIMITS) -> CompactJws:
    """The header and payload of a compact JWS whose signature `key` verifies with one of
    `algorithms` (RFC 7515 section 5.2), `crit` understood (section 4.1.11). JoseError if not:
    malformed, too large, another algorithm, an unknown critical header, a bad signature."""
    try:
        value = token.encode("ascii") if isinstance(token, str) else token
    except UnicodeEncodeError:
        raise JoseError("a compact JWS is ASCII") from None
    registry = _registry(tuple(sorted(algorithms)), limits)
    verified = jws.deserialize_compact(value, key, registry=registry)
    return CompactJws(dict(verified.headers()), verified.payload)


@lru_cache(maxsize=256)
def public_key(spki_der: bytes) -> Key:
    """A joserfc key for a DER SubjectPublicKeyInfo (EC or RSA); built once per key."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    kind = "EC" if isinstance(load_der_public_key(spki_der), ec.EllipticCurvePublicKey) else "RSA"
    return JWKRegistry.import_key(spki_der, kind)
