"""Client authentication at the token, introspection and revocation endpoints.

RFC 6749 section 2.3.1 (client_secret_basic, client_secret_post), RFC 7523 section 2.2 and 3 /
OIDC Core 1.0 section 9 (private_key_jwt), and `none` for public clients (RFC 6749 section 2.1,
which then rely on PKCE). A client uses exactly the method it registered, and only one.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy.orm import Session

from clients.registry import Client, ClientNotFound, check_secret, find_client
from idp.oidc import fapi
from idp.oidc.client_keys import REFETCH_SECONDS, RemoteKeySets, candidates, parse
from idp.oidc.errors import InvalidClient, OidcError, UnregisteredClient
from infra import jws_algorithms
from infra.jose import JoseError, numeric_date, unverified, verify_compact
from infra.store import EphemeralStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
METHODS = ("private_key_jwt", "client_secret_basic", "client_secret_post", "none")
ASSERTION_ALGS = ("ES256", "ES384", "RS256", "PS256", "EdDSA")
JTI_PREFIX = "oidc:jti:"
# The `typ` a client assertion may carry (RFC 7523bis: client-authentication+jwt; plain JWT).
ASSERTION_TYPS = ("jwt", "client-authentication+jwt")  # media types: any case (RFC 7515 4.1.9)
# Authorization request parameters, which every request object this provider accepts carries
# (idp.oidc.request.validate reads only what is inside it) and no client assertion does.
REQUEST_OBJECT_MEMBERS = ("response_type", "redirect_uri", "code_challenge")


@dataclass(frozen=True, init=False)
class Presented:
    """The credentials a request carries, before anything is checked. (`__init__`: the
    dataclass's, with the fields put into the instance's dict at once, not one frozen
    `object.__setattr__` each: issue 16.)"""

    method: str
    client_id: str
    secret: str | None = None
    assertion: str | None = None
    assertion_header: Mapping[str, Any] | None = None  # read once, when the method was told

    def __init__(self, method: str, client_id: str, secret: str | None = None, assertion: str | None = None,
                 assertion_header: Mapping[str, Any] | None = None) -> None:
        self.__dict__.update(method=method, client_id=client_id, secret=secret, assertion=assertion,
                             assertion_header=assertion_header)


@dataclass(frozen=True)
class AssertionPolicy:
    """How client assertions are judged (RFC 7523 section 3).

    `issuer` is the one audience a client with the strict rule may use (its default, FAPI 2.0
    Security Profile 5.3.2.1: the class of CVE-2025-27370/27371, where an assertion made for one
    endpoint is replayed at another); `audiences` are what the legacy rule also accepts."""

    audiences: Collection[str]
    max_seconds: int
    leeway: int
    remote_keys: RemoteKeySets
    issuer: str = ""


def _basic(header: str) -> tuple[str, str]:
    """RFC 7617 / RFC 6749 section 2.3.1: both parts are form-urlencoded before base64.

    `base64.b64decode(text, validate=True)` is `binascii.a2b_base64(ascii, strict_mode=True)`
    (its wrapper's ASCII check is the C function's own: a non-ASCII str is ValueError there
    too), and a part without `+` or `%` is what `unquote_plus` gives back (issue 16: five
    Python calls per /token)."""
    try:
        decoded = binascii.a2b_base64(header.strip(), strict_mode=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and a non-ASCII str
        raise InvalidClient("the Basic credentials are not base64 of client_id:client_secret",
                            basic=True) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise InvalidClient("the Basic credentials must be client_id:client_secret", basic=True)
    return _form_decoded(client_id), _form_decoded(secret)


def _form_decoded(part: str) -> str:
    """`unquote_plus(part)`: a part with neither `+` nor `%` is itself."""
    return unquote_plus(part) if "+" in part or "%" in part else part


def _scheme_name(scheme: str) -> str:
    """An Authorization scheme as sent, for a refusal: a short token (RFC 9110 section 11.1), or "other"."""
    scheme = scheme.strip()
    return scheme if len(scheme) <= 20 and re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", scheme) else "other"


def _unverified_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a client assertion before its signature is checked: the claims name
    the client (whose keys then check it), the header its key."""
    try:
        read = unverified(token)
        return read.header, read.claims()
    except JoseError as exc:
        raise InvalidClient(f"client_assertion is not a JWT (a compact JWS, RFC 7515 section 7.1): {exc}") from None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# What a client registered with each method sends, for a refusal of another method.
_HOW = {
    "client_secret_basic": "send client_id and client_secret in the Authorization header with HTTP Basic "
                           "(RFC 6749 section 2.3.1), or register token_endpoint_auth_method "
                           "client_secret_post",
    "client_secret_post": "send client_id and client_secret in the form body, not in an Authorization header "
                          "(RFC 6749 section 2.3.1), or register token_endpoint_auth_method client_secret_basic",
    "private_key_jwt": "send client_assertion_type and a client_assertion signed with your registered key "
                       "(RFC 7523 section 2.2), and no client secret",
    "none": "it is a public client: send its client_id alone, with no secret and no assertion",
}


def presented(*, authorization: str | None, form: Mapping[str, str]) -> Presented:
    """Which one method the request uses (RFC 6749 section 2.3: never more than one)."""
    used: list[Presented] = []
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        client_id, secret = _basic(value)
        used.append(Presented("client_secret_basic", client_id, secret=secret))
    if "client_secret" in form:
        used.append(Presented("client_secret_post", form.get("client_id", ""), secret=form["client_secret"]))
    if "client_assertion" in form or "client_assertion_type" in form:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise InvalidClient(f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form.get("client_assertion", "")
        header, claims = _unverified_jwt(assertion)
        subject = claims.get("sub")
        used.append(Presented("private_key_jwt", subject if isinstance(subject, str) else "",
                              assertion=assertion, assertion_header=header))
    if len(used) > 1:
        raise OidcError("use one client authentication method per request, not "
                        + " and ".join(p.method for p in used) + " (RFC 6749 section 2.3)")
    if not used:
        if not form.get("client_id"):
            if scheme.strip():  # an access token or a secret sent as a bearer token: not client auth
                raise InvalidClient(f"the Authorization header's {_scheme_name(scheme)} scheme is not client "
                                    "authentication: authenticate as your client with the method you "
                                    "registered, client_secret_basic (Basic), client_secret_post or "
                                    "private_key_jwt (RFC 6749 section 2.3)")
            raise InvalidClient("client authentication is required (no credentials and no client_id)")
        return Presented("none", form["client_id"])
    found = used[0]
    body_id = form.get("client_id")
    if body_id is not None and body_id != found.client_id:
        raise InvalidClient("client_id in the body does not match the authenticated client",
                            basic=found.method == "client_secret_basic")
    if not found.client_id:
        raise InvalidClient("the client is not named: client_id (or the assertion's sub) is missing")
    if "\x00" in found.client_id:
        raise InvalidClient("the client id holds a NUL character (U+0000)",
                            basic=found.method == "client_secret_basic")
    if not _is_text(found.client_id):  # an assertion's sub "\ud800": JSON, but not text
        raise InvalidClient("the client id holds a lone surrogate, which is not text")
    return found


def authenticate(session: Session, *, authorization: str | None, form: Mapping[str, str],
                 store: EphemeralStore, policy: AssertionPolicy, now: int,
                 lookup: Callable[[Session, str], Client] = find_client,
                 credentials: Presented | None = None) -> Client:
    """The registered client that authenticated this request with its registered method.

    `lookup` finds the enabled client (default: a database read; the endpoints pass the
    provider's `ClientCache.find`); `credentials`: `presented(...)` of this same request, when
    the caller read them already."""
    creds = credentials if credentials is not None else presented(authorization=authorization, form=form)
    basic = creds.method == "client_secret_basic"
    try:
        client = lookup(session, creds.client_id)
    except ClientNotFound:
        raise UnregisteredClient(f"client {creds.client_id!r} is not registered or is disabled",
                                 basic=basic) from None
    metadata = client.client_metadata  # read once: a mapped attribute's read is a Python call (issue 16)
    registered = metadata.get("token_endpoint_auth_method")
    if registered != creds.method:
        used = creds.method
        if used == "private_key_jwt" and str((creds.assertion_header or {}).get("alg", "")).startswith("HS"):
            # An HMAC assertion is client_secret_jwt (OIDC Core 9), which this provider does not offer.
            used = "client_secret_jwt (a client_assertion signed with the secret), which Cédula does not support"
        raise InvalidClient(f"this client authenticates with {registered}, not {used}: "
                            f"{_HOW.get(str(registered), 'use the registered method')}", basic=basic)
    fapi.check_client_authentication(client, method=creds.method, metadata=metadata)
    if creds.method in ("client_secret_basic", "client_secret_post"):
        if not check_secret(client, creds.secret or ""):
            raise InvalidClient("the client secret is not valid: send the client_secret given to this client at "
                                "registration (in Basic, client_id and secret form-urlencoded before base64, "
                                "RFC 6749 section 2.3.1)", basic=basic)
    elif creds.method == "private_key_jwt":
        verify_assertion(client, creds.assertion or "", creds.assertion_header or {},
                         store=store, policy=policy, now=now)
    return client


def verify_assertion(client: Client, assertion: str, header: Mapping[str, Any], *,
                     store: EphemeralStore, policy: AssertionPolicy, now: int) -> None:
    """RFC 7523 section 3 and OIDC Core 1.0 section 9: signature, iss, sub, aud, exp, jti once.

    `header`: the assertion's JOSE header as `presented` read it (the assertion is parsed once)."""
    metadata = client.client_metadata
    alg = metadata.get("token_endpoint_auth_signing_alg", "ES256")
    if jws_algorithms.registered_name(header.get("alg")) != alg or alg not in ASSERTION_ALGS:
        raise InvalidClient(f"client_assertion must be signed with {alg} (the registered "
                            f"token_endpoint_auth_signing_alg), got {header.get('alg')!r}")
    fapi.check_signing_alg(client, alg, what="client_assertion", error=InvalidClient, accepted=ASSERTION_ALGS,
                           registered=alg)
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str)
                            or typ.lower().removeprefix("application/") not in ASSERTION_TYPS):
        # RFC 8725 section 3.11: a JWT of another explicit type (a request object, which the
        # browser carries to /authorize; a DPoP proof) signed by the client's key is not its credential.
        raise InvalidClient("client_assertion's typ must be JWT or client-authentication+jwt (or absent), "
                            f"not {str(typ)[:64]!r}")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    if "jwks" in metadata:
        keys = parse(metadata["jwks"])
    elif "jwks_uri" in metadata:
        keys = policy.remote_keys.keys(metadata["jwks_uri"], kid=kid)
    else:
        raise InvalidClient("the client has no registered keys (jwks or jwks_uri)")
    verified = None
    usable = candidates(keys, kid=kid, alg=alg)
    if not usable:
        raise InvalidClient(_no_key(metadata, keys, kid=kid, alg=alg))
    for key in usable:
        try:
            verified = verify_compact(assertion, key, algorithms=[header["alg"]])
            break
        except JoseError:
            continue
    if verified is None:
        raise InvalidClient("client_assertion signature does not verify with the client's registered keys")
    try:
        claims = verified.claims()
    except JoseError:
        raise InvalidClient("client_assertion payload is not a JSON object") from None
    _check_claims(claims, client_id=client.client_id, policy=policy, now=now,
                  strict=fapi.strict_audience(client) or client.assertion_audience != "legacy")
    jti = claims["jti"]
    ttl = max(int(claims["exp"]) - now + policy.leeway, 1)
    spent = JTI_PREFIX + hashlib.sha256(f"{client.client_id}\x00{jti}".encode("utf-8", "surrogatepass")).hexdigest()
    if not store.add(spent, b"1", ttl):
        raise InvalidClient("client_assertion was already used (its jti is spent; RFC 7523 section 3)")


def _no_key(metadata: Mapping[str, Any], keys: tuple[Any, ...], *, kid: str | None, alg: str) -> str:
    """What to do when no registered key can check the assertion (RFC 7515 section 4.1.4):
    the kid asked for and those registered (public keys' names: nothing secret)."""
    named = ", ".join(sorted({repr(k.kid) for k in keys if k.kid})) or "none with a kid"
    where = "the JWK Set at your jwks_uri" if "jwks_uri" in metadata else "your registered jwks"
    missing = (f"names kid {kid!r}, which is not in {where}" if kid is not None
               else f"has no kid, and no {alg} signing key is in {where}")
    if "jwks_uri" in metadata:
        then = (f"Cédula fetches it again for an unknown kid at most once every {int(REFETCH_SECONDS)} seconds: "
                "publish a new key there before you sign with it")
    else:
        then = "register the new key (PUT /register/{client_id}, or ask the operator) before you sign with it"
    return f"client_assertion {missing} (kids: {named}); {then}"


def _check_audience(aud: Any, *, policy: AssertionPolicy, strict: bool) -> None:
    if strict:
        if not isinstance(aud, str) or aud != policy.issuer:
            raise InvalidClient(f"client_assertion aud must be the issuer {policy.issuer!r}, as a single "
                                f"string (not an array, not an endpoint), got {aud!r}")
        return
    audiences = aud if isinstance(aud, list) else [aud]  # the legacy rule of older clients
    if not any(isinstance(a, str) and a in policy.audiences for a in audiences):
        raise InvalidClient(f"client_assertion aud must be the issuer or this endpoint "
                            f"({', '.join(sorted(policy.audiences))}), got {aud!r}")


# Said wherever a time the agency's server wrote is refused (openid-client and the guide's
# examples sign with the local clock; a few minutes off is the usual cause).
CHECK_CLOCK = "check that your server's clock is right (NTP)"


def _check_claims(claims: Mapping[str, Any], *, client_id: str, policy: AssertionPolicy, now: int,
                  strict: bool = True) -> None:
    carried = [name for name in REQUEST_OBJECT_MEMBERS if name in claims]
    if carried:
        # RFC 8725 section 3.12: a request object (RFC 9101), untyped or typed JWT, with sub set
        # has every claim an assertion needs; it travels through the browser, so whoever saw the
        # URL would authenticate as the client with it.
        raise InvalidClient(f"client_assertion carries {', '.join(carried)}: a request object is not a "
                            "client assertion (RFC 8725 section 3.12); sign one for client authentication")
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise InvalidClient("client_assertion iss and sub must both be the client_id")
    _check_audience(claims.get("aud"), policy=policy, strict=strict)
    exp = numeric_date(claims, "exp", error=InvalidClient, what="client_assertion ")
    if exp is None:
        raise InvalidClient("client_assertion has no exp")
    if exp + policy.leeway <= now:
        raise InvalidClient(f"client_assertion expired {now - exp} seconds ago by this server's clock; sign a new "
                            f"one for each request, and {CHECK_CLOCK}")
    if exp - now > policy.max_seconds + policy.leeway:
        raise InvalidClient(f"client_assertion lives too long: exp must be within "
                            f"{policy.max_seconds} seconds")
    for name in ("nbf", "iat"):
        value = numeric_date(claims, name, error=InvalidClient, what="client_assertion ")
        if value is not None and value > now + policy.leeway:
            raise InvalidClient(f"client_assertion {name} is {value - now} seconds ahead of this server's "
                                f"clock; {CHECK_CLOCK}")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise InvalidClient("client_assertion needs a jti (a unique string of at most 256 characters)")
