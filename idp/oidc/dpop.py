"""Demonstrating Proof of Possession (DPoP, RFC 9449): proofs, server nonces, bound tokens.

A client signs a fresh proof JWT for each request with a key it keeps; the provider binds the
tokens it issues to that key's thumbprint (`cnf.jkt`, RFC 7638) and accepts them only with a
proof from the same key. `verify` is section 4.3 (and 7.1 with `access_token`); `Nonces` are
the server-provided nonces of section 8, kept in the ephemeral store so that every worker
knows them; `confirm` is the resource server's binding check (section 7.1 and 7.2).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from idp.oidc.errors import InvalidToken, OidcError
from infra import jose, jws_algorithms
from infra.store import EphemeralStore

TYP = "dpop+jwt"
# Asymmetric algorithms only (section 4.2: never `none` nor a MAC).
ALGS = ("ES256", "ES384", "PS256", "RS256", "EdDSA")
JTI_PREFIX = "oidc:dpop-jti:"
NONCE_PREFIX = "oidc:dpop-nonce:"
_PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "k")
MAX_PROOF = 8192
LIMITS = jose.Limits(header=4096, payload=4096)  # an RSA jwk makes a header longer than 512


class DpopError(OidcError):
    """Section 5 / 7.1: the DPoP proof is missing or not valid."""

    error = "invalid_dpop_proof"


class UseDpopNonce(DpopError):
    """Section 8: the proof needs the server's current nonce (given in the DPoP-Nonce header)."""

    error = "use_dpop_nonce"


class NotBound(InvalidToken):
    """Section 7.1/7.2: the token and the scheme or proof do not match (a DPoP-bound token as
    Bearer, a proof of another key, an unbound token under the DPoP scheme)."""


@dataclass(frozen=True)
class DpopPolicy:
    """How proofs are judged: `seconds` an `iat` may lie in the past (and `leeway` in the
    future), whether a server nonce is required, how often nonces change."""

    seconds: int = 60
    leeway: int = 5
    require_nonce: bool = True
    nonce_seconds: int = 300


@dataclass(frozen=True)
class Proof:
    """A verified proof: the key's thumbprint (what tokens are bound to) and its jti."""

    jkt: str
    jti: str
    alg: str = "ES256"


def thumbprint_ok(value: Any) -> bool:
    """A base64url SHA-256 JWK thumbprint (RFC 7638): 43 characters."""
    return isinstance(value, str) and len(value) == 43 and all(
        c.isalnum() or c in "-_" for c in value)


def ath(access_token: str) -> str:
    """Section 4.2: base64url of the SHA-256 of the access token's ASCII."""
    return jose.b64url(hashlib.sha256(access_token.encode("ascii")).digest())


_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent(match: re.Match[str]) -> str:
    """RFC 3986 section 6.2.2.2: an unreserved character is itself; other escapes in upper case."""
    character = chr(int(match.group(1), 16))
    return character if character in _UNRESERVED else "%" + match.group(1).upper()


def _without_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (`remove_dot_segments`)."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            segment, path = (path, "") if end == -1 else (path[:end], path[end:])
            output.append(segment)
    return "".join(output)


def htu(url: str) -> str:
    """Section 4.3 item 9: the URI without query and fragment, normalised as the section asks
    (RFC 3986 section 6.2.2 and 6.2.3): scheme and host in lower case, the scheme's default
    port (or an empty one) left out, escapes of unreserved characters decoded and the others
    in upper case, dot segments removed, an empty path "/". ValueError: not a URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    port = parts.port  # ValueError for a port that is not one
    if netloc.endswith(":") or (port is not None and port == _DEFAULT_PORTS.get(scheme)):
        netloc = netloc.rsplit(":", 1)[0]
    path = _without_dot_segments(_PERCENT.sub(_percent, parts.path))
    return urlunsplit((scheme, netloc, path or "/", "", ""))


class Nonces:
    """Section 8: one nonce per period, shared by every worker through the ephemeral store;
    the current and the previous period's are accepted, so a nonce never dies in flight."""

    def __init__(self, store: EphemeralStore, *, seconds: int) -> None:
        self.store = store
        self.seconds = seconds

    def _of(self, period: int, *, create: bool) -> str | None:
        key = NONCE_PREFIX + str(period)
        if create:
            fresh = secrets.token_urlsafe(24)
            if self.store.add(key, fresh.encode("ascii"), self.seconds * 2 + 5):
                return fresh
        raw = self.store.get(key)
        return raw.decode("ascii") if raw is not None else None

    def current(self, now: int) -> str:
        value = self._of(now // self.seconds, create=True)
        assert value is not None
        return value

    def accepts(self, nonce: Any, now: int) -> bool:
        if not isinstance(nonce, str) or not nonce or len(nonce) > 64 or not nonce.isascii():
            return False
        period = now // self.seconds
        known = [self.current(now), self._of(period - 1, create=False)]
        return any(k is not None and hmac.compare_digest(k, nonce) for k in known)


def verify(proof: str | None, *, method: str, url: str, store: EphemeralStore, policy: DpopPolicy,
           nonces: Nonces, now: int, access_token: str | None = None) -> Proof:
    """RFC 9449 section 4.3 (and 7.1: `ath` when an access token comes with it)."""
    if not proof:
        raise DpopError("a DPoP proof is required (the DPoP header, RFC 9449 section 4)")
    header, claims = jose.header_and_claims(proof, max_length=MAX_PROOF, limits=LIMITS, error=DpopError,
                                            what="the DPoP proof", reference="RFC 9449 section 4.3")
    if header.get("typ") != TYP:
        raise DpopError(f"the DPoP proof's typ must be {TYP}, got {header.get('typ')!r}")
    alg = jws_algorithms.registered_name(header.get("alg"))
    if alg not in ALGS:
        raise DpopError(f"the DPoP proof must be signed with an asymmetric algorithm ({', '.join(ALGS)}), "
                        f"got {alg!r}")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or any(name in jwk for name in _PRIVATE):
        raise DpopError("the DPoP proof's jwk must be a public key (no private members)")
    try:
        key = JWKRegistry.import_key(jwk)
        if key.key_type == "oct":
            raise DpopError("the DPoP proof's jwk must be an asymmetric public key")
        jose.verify_compact(proof, key, algorithms=[header["alg"]], limits=LIMITS)
    except (JoseError, ValueError, TypeError):
        raise DpopError("the DPoP proof's signature does not verify with its jwk") from None
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise DpopError("the DPoP proof needs a jti (a unique string)")
    if claims.get("htm") != method:
        raise DpopError(f"the DPoP proof is for {claims.get('htm')!r}, not for {method} (htm)")
    presented = claims.get("htu")
    try:
        same = isinstance(presented, str) and htu(presented) == htu(url)
    except ValueError:  # not a URL (urlsplit: an unclosed IPv6 literal)
        same = False
    if not same:
        raise DpopError(f"the DPoP proof is for {str(presented)[:200]!r}, not for {htu(url)} (htu)")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise DpopError("the DPoP proof needs iat (a NumericDate)")
    if iat > now + policy.leeway:
        raise DpopError(f"the DPoP proof's iat is {int(iat - now)} seconds ahead of this server's clock; "
                        "check that your server's clock is right (NTP) and make a new proof")
    if iat < now - policy.seconds:
        raise DpopError(f"the DPoP proof's iat is {int(now - iat)} seconds behind this server's clock, at most "
                        f"{policy.seconds} are taken: make a new proof for each request, and check that your "
                        "server's clock is right (NTP)")
    if access_token is not None:
        # An access token is ASCII (RFC 6750 b64token); no other string has an `ath`.
        presented_ath = claims.get("ath")
        what = ("make a new proof whose ath is the base64url SHA-256 hash of the access token sent in "
                "Authorization (RFC 9449 section 4.2)")
        if presented_ath is None:
            raise DpopError(f"the DPoP proof has no ath, which a proof sent with an access token carries: {what}")
        if not access_token.isascii() or not isinstance(presented_ath, str) or not presented_ath.isascii() \
                or not hmac.compare_digest(presented_ath, ath(access_token)):
            raise DpopError(f"the DPoP proof's ath is not the hash of this access token: {what}")
    if policy.require_nonce or "nonce" in claims:
        if "nonce" not in claims:
            raise UseDpopNonce("the DPoP proof must carry the server's nonce, sent in the DPoP-Nonce header")
        if not nonces.accepts(claims["nonce"], now):
            raise UseDpopNonce("the DPoP proof's nonce is stale; use the one in the DPoP-Nonce header")
    jkt = key.thumbprint()
    marker = JTI_PREFIX + hashlib.sha256(f"{jkt}\x00{jti}".encode("utf-8", "surrogatepass")).hexdigest()
    if not store.add(marker, b"1", policy.seconds + policy.leeway + 1):
        raise DpopError("the DPoP proof was already used (its jti is spent); make a new proof for each request")
    return Proof(jkt=jkt, jti=jti, alg=header["alg"])  # as sent: a refusal names it so


def bound_key(claims: Mapping[str, Any]) -> str | None:
    """The thumbprint an access token is bound to (section 6.1: cnf.jkt), if any."""
    cnf = claims.get("cnf")
    if isinstance(cnf, Mapping) and isinstance(cnf.get("jkt"), str):
        return str(cnf["jkt"])
    return None


def confirm(claims: Mapping[str, Any], *, jkt: str | None) -> None:
    """Section 7.1 and 7.2: a bound token only with a proof of its key, under the DPoP scheme;
    an unbound token never under the DPoP scheme. `jkt`: the proof's key (None: Bearer)."""
    bound = bound_key(claims)
    if bound is None and jkt is not None:
        raise NotBound("this access token is not DPoP-bound; present it with the Bearer scheme")
    if bound is not None and jkt is None:
        raise NotBound("this access token is DPoP-bound; present it with the DPoP scheme and a proof")
    if bound is not None and jkt is not None and not hmac.compare_digest(bound, jkt):
        raise NotBound("the DPoP proof is signed with another key than the one this access token is bound to")
