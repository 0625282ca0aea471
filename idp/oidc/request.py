"""Authorization request validation (RFC 6749 section 4.1.1, OIDC Core 1.0 section 3.1.2.1/2).

Errors before the client and its redirect URI are known (`UnsafeRedirect`) are shown to the
citizen and never redirected; every later error (`AuthorizationError`) goes back to the
validated redirect URI with `state` (RFC 6749 section 4.1.2.1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

import keys
from clients.registry import Client, ClientNotFound, find_client
from clients.registry.metadata import AGENCY_SCOPES
from idp.oidc import claims as claims_module
from idp.oidc import dpop, fapi, jarm, parameters, pkce, redirect_uris, resources
from idp.oidc.errors import AuthorizationError, UnsafeRedirect
from idp.oidc.tokens import ID_TOKEN_ALGS

PROMPTS = ("none", "login", "consent", "select_account")
SCOPES = ("openid", "profile", "email", "national_id", "offline_access")
# The largest max_age kept (about 317 years, all its ten digits); a larger one is taken as this.
MAX_AGE_CEILING = 9_999_999_999
# The authorization request parameters `validate` reads (any other is ignored, RFC 6749 section 3.1).
PARAMETERS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age",
              "login_hint", "acr_values", "claims", "code_challenge", "code_challenge_method", "response_mode",
              "dpop_jkt", "id_token_hint", "resource", "ui_locales")


@dataclass
class AuthorizationRequest:
    """A validated authorization request, kept while the citizen signs in and decides."""

    client_id: str
    redirect_uri: str
    state: str | None
    scopes: list[str]
    code_challenge: str
    nonce: str | None = None
    prompt: list[str] = field(default_factory=list)
    max_age: int | None = None
    login_hint: str | None = None
    acr_values: list[str] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)
    # RFC 9449 section 10: the thumbprint of the DPoP key the code will be bound to.
    dpop_jkt: str | None = None
    # The client follows the FAPI 2.0 profile (idp.oidc.fapi): its code lives at most 60 s.
    fapi: bool = False
    # query, or query.jwt / jwt (JARM, idp.oidc.jarm); None: the default, query.
    response_mode: str | None = None
    # RFC 8707 section 2.1: the APIs the tokens may be for (checked by `validate`).
    resources: list[str] = field(default_factory=list)
    # OIDC Core 3.1.2.1: the `sub` of the id_token_hint, the citizen the client expects.
    hint_sub: str | None = None
    # OIDC Core 3.1.2.1: the languages the agency asks the pages of this request to speak.
    ui_locales: str | None = None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> AuthorizationRequest:
        return cls(**json.loads(raw))


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    """`parameters.single`; a parameter not sent is None at once (most of the fifteen an
    /authorize reads are not: a call each less, issue 16)."""
    if name not in params:
        return None
    return parameters.single(params, name, error=AuthorizationError)


def _named_client(session: Session, params: Mapping[str, Sequence[str]],
                  lookup: Callable[[Session, str], Client] = find_client) -> Client:
    ids = params.get("client_id") or []
    if len(ids) != 1 or not ids[0]:
        raise UnsafeRedirect("client_id is required, once")
    try:
        return lookup(session, ids[0])
    except ClientNotFound:
        raise UnsafeRedirect(f"client {ids[0][:64]!r} is not registered or is disabled") from None


def _client_and_redirect(session: Session, params: Mapping[str, Sequence[str]],
                         lookup: Callable[[Session, str], Client] = find_client) -> tuple[Client, str]:
    uris = params.get("redirect_uri") or []
    client = _named_client(session, params, lookup)
    if len(uris) > 1:
        raise UnsafeRedirect("redirect_uri is given more than once")
    metadata = client.client_metadata
    uri = redirect_uris.select(requested=uris[0] if uris else None,
                               registered=metadata.get("redirect_uris", []),
                               application_type=metadata.get("application_type", "web"))
    return client, uri


Expander = Callable[[Client, Mapping[str, Sequence[str]]], Mapping[str, Sequence[str]]]


def validate(session: Session, params: Mapping[str, Sequence[str]], *, acr_uris: Mapping[str, str],
             pushed: bool = False, require_par: bool = False, expand: Expander | None = None,
             issuer: str = "", fapi_loopback_redirects: bool = False, signed: bool | None = None,
             lookup: Callable[[Session, str], Client] = find_client) -> tuple[Client, AuthorizationRequest]:
    """The client and the validated request; raises UnsafeRedirect or AuthorizationError.

    `acr_uris`: level -> acr URI (oidc.acr_*), for the highest level the client may ask for
    (idp.oidc.fapi.check_level); `fapi_loopback_redirects`: the embedded demo's setting
    (idp.oidc.fapi.check_authorization).

    `pushed`: the request came from the PAR endpoint (RFC 9126); `require_par`: the provider
    refuses every other request (the setting), as it does for clients whose metadata says so.
    `expand`: replaces a request with its request object's parameters (idp.oidc.jar).
    `signed`: at the PAR endpoint, whether the pushed request was a request object (its
    parameters come expanded); at /authorize it is read from `params`, and a pushed request
    taken there was checked when it was pushed.
    `lookup`: how to find an enabled client (the provider's cache, `ClientCache.find`)."""
    if signed is None and not pushed:
        signed = "request" in params
    if expand is not None and "request" in params:
        params = expand(_named_client(session, params, lookup), params)
    client, redirect_uri = _client_and_redirect(session, params, lookup)
    state_values = params.get("state") or []
    state = state_values[0] if state_values and state_values[0] else None
    try:
        if not pushed and (require_par or client.client_metadata.get("require_pushed_authorization_requests")):
            raise AuthorizationError("this client must push its authorization requests to the pushed "
                                     "authorization request endpoint and send only client_id and "
                                     "request_uri here (RFC 9126 section 5)")
        if signed is False and client.client_metadata.get("require_signed_request_object"):
            raise AuthorizationError(UNSIGNED_REFUSED)
        fapi.check_authorization(client, params, pushed=pushed, redirect_uri=redirect_uri,
                                 loopback_redirects=fapi_loopback_redirects)
        validated = _validate(client, redirect_uri, params, acr_uris=acr_uris)
        validated.hint_sub = _hint_subject(_single(params, "id_token_hint"), client_id=client.client_id,
                                           issuer=issuer)
        try:
            resources.check_requested(session, identifiers=validated.resources, client_id=client.client_id,
                                      issuer=issuer)
        except resources.InvalidTarget as exc:
            raise AuthorizationError(exc.description, error="invalid_target") from None
        return client, validated
    except AuthorizationError as exc:
        exc.redirect_uri = redirect_uri
        exc.client_id = client.client_id
        modes = params.get("response_mode") or []
        exc.response_mode = modes[0] if len(modes) == 1 and jarm.wanted(modes[0]) else None
        exc.state = state if state is None or len(state) <= parameters.limit("state") else None
        raise


# RFC 9101 section 10 (client metadata require_signed_request_object): a client that registered
# it true has every request that is not a signed request object refused, so that nobody sends a
# citizen to it with parameters it would have signed (acr_values, max_age, claims).
UNSIGNED_REFUSED = ("this client must send its authorization request as a signed request object (the request "
                    "parameter, RFC 9101), at the authorization endpoint or in the request it pushes to the "
                    "pushed authorization request endpoint: its registration says require_signed_request_object "
                    "true")


# A hint may be an ID token that expired long ago (a past session with the client, OIDC Core
# 3.1.2.1): any age, as long as it is signed with a key this provider still publishes.
HINT_LEEWAY = 10 * 365 * 86_400


def _hint_subject(token: str | None, *, client_id: str, issuer: str) -> str | None:
    """OIDC Core 3.1.2.1: the `sub` of an id_token_hint, an ID token this provider issued to
    this client (signature, `iss`, `aud`; expired ones too); AuthorizationError if it is not."""
    if token is None:
        return None
    try:
        claims = keys.verify_jwt(token, algorithms=ID_TOKEN_ALGS, issuer=issuer, audience=client_id,
                                 typ="JWT", leeway=HINT_LEEWAY, require=("iss", "sub", "aud")).claims
    except keys.InvalidJwt:
        claims = None
    sub = claims.get("sub") if claims is not None else None
    if not isinstance(sub, str) or not sub:
        raise AuthorizationError("id_token_hint is not an ID token this provider issued to this client")
    return sub


def _resources(params: Mapping[str, Sequence[str]]) -> list[str]:
    """RFC 8707 section 2: absolute URIs without a fragment, at most five."""
    values = list(dict.fromkeys(params.get("resource") or []))
    if len(values) > 5:
        raise AuthorizationError("at most five resource parameters are accepted", error="invalid_target")
    for value in values:
        try:
            parts = urlsplit(value)
        except ValueError:  # not a URL (an unclosed IPv6 literal)
            parts = urlsplit("")
        if not parts.scheme or not parts.netloc or "#" in value or len(value) > 500:
            raise AuthorizationError(f"resource {value[:100]!r} must be an absolute URI without a fragment "
                                     "(RFC 8707 section 2)", error="invalid_target")
    return values


def _validate(client: Client, redirect_uri: str, params: Mapping[str, Sequence[str]], *,
              acr_uris: Mapping[str, str]) -> AuthorizationRequest:
    metadata = client.client_metadata
    state = _single(params, "state")
    if "request" in params:
        raise AuthorizationError("request objects are not supported (OIDC Core 6.1)",
                                 error="request_not_supported")
    if "request_uri" in params:
        # OIDC Core 3.1.2.6: request_uri_parameter_supported is false; nothing is fetched.
        raise AuthorizationError("request_uri is accepted only as issued by the pushed authorization "
                                 "request endpoint (urn:ietf:params:oauth:request_uri:...), alone with "
                                 "client_id (RFC 9126 section 4); this provider fetches no request "
                                 "objects", error="request_uri_not_supported")
    if "registration" in params:
        # OIDC Core 7.2.1: metadata passed with the request, for Self-Issued OPs; this one is not.
        raise AuthorizationError("registration is not supported (OIDC Core 3.1.2.6): this provider takes no "
                                 "client metadata with an authorization request; register your portal's "
                                 "metadata beforehand (with the operator, or at POST /register, RFC 7591) "
                                 "and send the request without it", error="registration_not_supported")
    response_type = _single(params, "response_type")
    if response_type is None:
        raise AuthorizationError("response_type is required")
    if response_type != "code":
        raise AuthorizationError(f"only response_type=code is supported, got {response_type!r}",
                                 error="unsupported_response_type")
    if "code" not in metadata.get("response_types", []):
        raise AuthorizationError("this client is not registered for the authorization code flow",
                                 error="unauthorized_client")
    response_mode = _single(params, "response_mode")
    if response_mode not in (None, "query", *jarm.MODES):
        raise AuthorizationError(f"response_mode must be query, query.jwt or jwt, got {response_mode!r}")

    scope = _single(params, "scope")
    requested = list(dict.fromkeys((scope or "").split()))
    if "openid" not in requested:
        raise AuthorizationError("scope must include openid", error="invalid_scope")
    allowed = set(metadata.get("scope", "").split())
    for name in requested:
        if name in AGENCY_SCOPES:
            raise AuthorizationError(f"scope {name!r} is your agency's own, not a citizen's: ask for it at the "
                                     "token endpoint with grant_type=client_credentials", error="invalid_scope")
        if name not in SCOPES:
            raise AuthorizationError(f"scope {name!r} is not offered by this provider", error="invalid_scope")
        if name not in allowed:
            raise AuthorizationError(f"this client is not registered for scope {name!r}", error="invalid_scope")
    if "offline_access" in requested and "refresh_token" not in metadata.get("grant_types", []):
        requested.remove("offline_access")  # OIDC Core 11: ignored when it cannot be granted

    challenge = pkce.check_challenge(challenge=_single(params, "code_challenge"),
                                     method=_single(params, "code_challenge_method"))

    prompt = list(dict.fromkeys((_single(params, "prompt") or "").split()))
    for value in prompt:
        if value not in PROMPTS:
            raise AuthorizationError(f"prompt {value!r} is not supported; use {', '.join(PROMPTS)}")
    if "none" in prompt and len(prompt) > 1:
        raise AuthorizationError("prompt=none cannot be combined with other values (OIDC Core 3.1.2.1)")

    raw_max_age = _single(params, "max_age")
    max_age: int | None = metadata.get("default_max_age")
    if raw_max_age is not None:
        if not (raw_max_age.isascii() and raw_max_age.isdigit()):
            raise AuthorizationError("max_age must be a whole number of seconds, 0 or more (OpenID Connect Core "
                                     f"section 3.1.2.1), got {raw_max_age[:40]!r}")
        # No upper bound in OIDC Core: a longer max_age than any sign-in can be old asks for no more.
        digits = raw_max_age.lstrip("0") or "0"
        max_age = int(digits) if len(digits) <= len(str(MAX_AGE_CEILING)) else MAX_AGE_CEILING

    dpop_jkt = _single(params, "dpop_jkt")
    if dpop_jkt is not None and not dpop.thumbprint_ok(dpop_jkt):
        raise AuthorizationError("dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 section 10)")

    # A restricted claim (national_id) comes only with its scope, which needs registration.
    parsed_claims = claims_module.restrict(claims_module.parse(_single(params, "claims")), requested)
    acr_values = (_single(params, "acr_values") or "").split()
    claim_acr = claims_module.essential_acr(parsed_claims)[0]
    if not acr_values and not claim_acr:
        # OIDC Registration 2: default_acr_values stand for acr_values a request does not send
        # (the acr_values or the acr claim values of a request override them).
        acr_values = list(metadata.get("default_acr_values", []))
    if acr_values or claim_acr:  # a request that names no level asks for none above the client's
        fapi.check_level(client, acr_values=acr_values, claim_acr=claim_acr, acr_uris=acr_uris)
    return AuthorizationRequest(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        state=state,
        scopes=requested,
        code_challenge=challenge,
        nonce=_single(params, "nonce"),
        prompt=prompt,
        max_age=max_age,
        login_hint=_single(params, "login_hint"),
        acr_values=acr_values,
        claims=claims_module.dump(parsed_claims),
        dpop_jkt=dpop_jkt,
        fapi=fapi.applies(client),
        response_mode=response_mode,
        resources=_resources(params),
        ui_locales=_single(params, "ui_locales"),
    )
