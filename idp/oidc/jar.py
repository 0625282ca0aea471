"""JWT-Secured Authorization Requests (JAR, RFC 9101): the `request` parameter, at /authorize
and in a pushed request (RFC 9126 section 3).

The request object is signed by the client with a key of its registered JWK Set (never `none`,
never a MAC); its `iss` and `client_id` are the client, its `aud` the issuer, its `exp` near.
Only the parameters inside it count (section 6.3); `client_id` outside must be the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from joserfc.errors import JoseError

from clients.registry import Client
from idp.oidc import client_auth, fapi
from idp.oidc.client_keys import RemoteKeySets, candidates, parse
from idp.oidc.errors import OidcError, UnsafeRedirect
from idp.oidc.request import PARAMETERS
from infra import jose, jws_algorithms
from infra.store import EphemeralStore

TYP = "oauth-authz-req+jwt"
MAX_LIFETIME = 3600  # FAPI 2.0 Message Signing 5.3.1: exp at most 60 minutes after nbf
MAX_LENGTH = 65536
LIMITS = jose.Limits(header=2048, payload=MAX_LENGTH)
SPENT_PREFIX = "oidc:jar:"  # a request object used once (its jti, else its own digest)
MAX_JTI = 256
# What a request object never carries: itself, a reference, the client's credentials.
NOT_INSIDE = ("request", "request_uri", "client_secret", "client_assertion", "client_assertion_type")

Params = dict[str, list[str]]


class InvalidRequestObject(UnsafeRedirect):
    """OIDC Core 3.1.2.6 / RFC 9101 section 6.3: the request object is not valid. Its
    redirect_uri is not trusted either: an error page at /authorize, JSON at /par."""

    error = "invalid_request_object"


class SpentRequestObject(InvalidRequestObject):
    """The request object was used already (its jti is spent): for the citizen, a link used
    twice (the back button, a reload), as an expired one."""


def _keys(client: Client, remote_keys: RemoteKeySets, kid: str | None) -> tuple[Any, ...]:
    metadata = client.client_metadata
    if "jwks" in metadata:
        try:
            return parse(metadata["jwks"])
        except OidcError as exc:  # a JWK Set registered before its keys were checked
            raise InvalidRequestObject(f"the client's keys cannot be read: {exc.description}") from None
    if "jwks_uri" in metadata:
        try:
            return remote_keys.keys(metadata["jwks_uri"], kid=kid)
        except OidcError as exc:
            raise InvalidRequestObject(f"the client's keys cannot be read: {exc.description}") from None
    raise InvalidRequestObject("the client has no registered keys (jwks or jwks_uri) to sign request objects")


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    return jose.numeric_date(claims, name, error=InvalidRequestObject, what="the request object's ")


def _as_params(claims: Mapping[str, Any]) -> Params:
    """The authorization request parameters a request object carries (RFC 9101 section 4)."""
    params: Params = {}
    for name, value in claims.items():
        if name in NOT_INSIDE:
            raise InvalidRequestObject(f"a request object cannot carry {name}")
        if name in ("iss", "aud", "exp", "iat", "nbf", "jti"):
            continue
        if isinstance(value, str):
            params[name] = [value]
        elif isinstance(value, int) and not isinstance(value, bool):
            params[name] = [str(value)]  # max_age
        elif name == "claims" and isinstance(value, dict):
            params[name] = [json.dumps(value, ensure_ascii=False)]
        elif name == "resource" and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            params[name] = list(value)  # RFC 8707 section 2: several resources, one claim
        elif name not in PARAMETERS:
            continue  # RFC 6749 section 3.1: a parameter this provider does not read is ignored
        else:
            raise InvalidRequestObject(f"the request object's {name} must be a string")
        for text in params[name]:
            try:  # JSON allows a lone surrogate ("\ud800"), which no answer can carry back
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidRequestObject(f"the request object's {name} holds a lone surrogate, "
                                           "which is not text") from None
    return params


def expand(params: Mapping[str, Sequence[str]], *, client: Client, remote_keys: RemoteKeySets, issuer: str,
           now: int, leeway: int, store: EphemeralStore) -> Mapping[str, Sequence[str]]:
    """The request's parameters: those of its request object when it has one (section 6.3)."""
    if "request" not in params:
        return params
    values = params["request"]
    if len(values) != 1 or not values[0]:
        raise InvalidRequestObject("request must be given once")
    return unpack(values[0], client=client, outside=params, remote_keys=remote_keys, issuer=issuer, now=now,
                  leeway=leeway, store=store)


def _spend(store: EphemeralStore, request_object: str, claims: Mapping[str, Any], *, client: Client,
           ttl: int) -> None:
    """A request object counts once (RFC 9101 section 10.8, FAPI 2.0 Message Signing 5.3.1): its
    `jti` for this client, or, without one, the object itself, is spent in the ephemeral store
    until the object expires; a second presentation is refused."""
    jti = claims.get("jti")
    if jti is not None and (not isinstance(jti, str) or not jti or len(jti) > MAX_JTI):
        raise InvalidRequestObject(f"the request object's jti must be a string of 1 to {MAX_JTI} characters")
    used = f"jti\x00{jti}" if jti is not None else "object\x00" + request_object
    digest = hashlib.sha256(f"{client.client_id}\x00{used}".encode("utf-8", "surrogatepass")).hexdigest()
    if not store.add(SPENT_PREFIX + digest, b"1", max(ttl, 1)):
        raise SpentRequestObject("the request object was already used (its jti is spent); sign a new one "
                                   "for each authorization request (RFC 9101 section 10.8)")


def unpack(request_object: str, *, client: Client, outside: Mapping[str, Sequence[str]],
           remote_keys: RemoteKeySets, issuer: str, now: int, leeway: int, store: EphemeralStore) -> Params:
    """RFC 9101 section 6: verify the request object of `client`, spend it (`_spend`) and return
    its parameters."""
    header, unverified = jose.header_and_claims(
        request_object, max_length=MAX_LENGTH, limits=LIMITS, error=InvalidRequestObject,
        what="the request object", reference="a signed JWT, RFC 9101 section 4; an encrypted one is not accepted")
    alg = jws_algorithms.registered_name(header.get("alg"))
    registered = client.client_metadata.get("request_object_signing_alg")
    if not isinstance(alg, str) or alg not in client_auth.ASSERTION_ALGS:
        raise InvalidRequestObject(f"the request object must be signed with one of "
                                   f"{', '.join(client_auth.ASSERTION_ALGS)}, not {alg!r} (RFC 9101 section 10.1)")
    if registered is not None and alg != registered:
        raise InvalidRequestObject(f"the request object must be signed with {registered} (the registered "
                                   f"request_object_signing_alg), not {alg}")
    fapi.check_signing_alg(client, alg, what="the request object", error=InvalidRequestObject,
                           accepted=client_auth.ASSERTION_ALGS,
                           registered=registered if isinstance(registered, str) else None)
    if "typ" in header and header["typ"] not in (TYP, "JWT"):
        raise InvalidRequestObject(f"the request object's typ must be {TYP}")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    verified = None
    for key in candidates(_keys(client, remote_keys, kid), kid=kid, alg=alg):
        try:
            verified = jose.verify_compact(request_object, key, algorithms=[header["alg"]], limits=LIMITS)
            break
        except JoseError:
            continue
    if verified is None:
        raise InvalidRequestObject("the request object's signature does not verify with a key of the "
                                   "client's registered JWK Set")
    claims = unverified
    if claims.get("iss") != client.client_id:
        raise InvalidRequestObject("the request object's iss must be the client_id")
    if claims.get("client_id") != client.client_id or list(outside.get("client_id") or []) != [client.client_id]:
        raise InvalidRequestObject("client_id inside and outside the request object must be the same client")
    aud = claims.get("aud")
    if not (aud == issuer or (isinstance(aud, list) and issuer in aud)):
        raise InvalidRequestObject(f"the request object's aud must be the issuer {issuer!r}, got {aud!r}")
    exp = _numeric_date(claims, "exp")
    if exp is None:
        raise InvalidRequestObject("the request object has no exp")
    if exp + leeway <= now:
        raise InvalidRequestObject(f"the request object expired {int(now - exp)} seconds ago by this server's "
                                   f"clock; make a new one for each sign-in, and {client_auth.CHECK_CLOCK}")
    nbf = _numeric_date(claims, "nbf")
    if nbf is None and fapi.applies(client):
        raise InvalidRequestObject("FAPI 2.0 clients' request objects carry nbf, at most 60 minutes before "
                                   "exp (FAPI 2.0 Message Signing section 5.3.2)")
    if nbf is not None and nbf > now + leeway:
        raise InvalidRequestObject(f"the request object's nbf is {int(nbf - now)} seconds ahead of this server's "
                                   f"clock; {client_auth.CHECK_CLOCK}")
    iat = _numeric_date(claims, "iat")
    if iat is not None and iat > now + leeway:
        raise InvalidRequestObject(f"the request object's iat is {int(iat - now)} seconds ahead of this server's "
                                   f"clock; use the time it was made, and {client_auth.CHECK_CLOCK}")
    # Counted from no later than now: a start dated ahead would stretch the hour.
    start = min(nbf if nbf is not None else iat if iat is not None else now, now)
    if exp - start > MAX_LIFETIME + leeway:
        raise InvalidRequestObject(f"the request object lives too long: at most {MAX_LIFETIME} seconds from "
                                   "nbf (or iat) to exp")
    params = _as_params(claims)
    params["client_id"] = [client.client_id]
    _spend(store, request_object, claims, client=client, ttl=int(exp) + leeway - now)
    return params
