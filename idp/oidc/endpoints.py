"""The JSON endpoints: discovery, token, UserInfo, introspection, revocation.

Token-style errors are RFC 6749 section 5.2 JSON with 400 or 401 (`WWW-Authenticate` when the
client used HTTP Basic); UserInfo errors are RFC 6750 section 3 bearer challenges.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed

from clients.registry import Client
from idp.oidc import (
    browser_clients,
    client_auth,
    client_credentials,
    discovery,
    dpop,
    fapi,
    introspection,
    jar,
    par,
    protected,
    refresh,
    resources,
    services,
    throttle,
    token_revocation,
    userinfo,
)
from idp.oidc import request as request_module
from idp.oidc.current import provider
from idp.oidc.errors import ClientAuthenticationThrottled, InvalidClient, OidcError, UnregisteredClient
from idp.oidc.token_release import record_token_release
from infra.config import get_settings
from infra.db import get_db
from infra.group_commit import get_group_commit
from infra.indicators import increment
from infra.invalidation import GENERATION_KEY, NO_GENERATION
from infra.ops.metrics import label_agency
from infra.store import EphemeralStore, GuardRefused, TakeGuard, get_store
from infra.web import direct_routes
from infra.web.caching import no_content, uncached_json
from infra.web.direct_routes import DirectRequest, DirectResponse, UndecodableForm
from infra.web.ratelimit import address_of, client_address

bp = Blueprint("oidc_api", __name__)

FORM = "application/x-www-form-urlencoded"

#: A request's form fields in order, read when first asked for (parsing may refuse the body).
Fields = Callable[[], Iterable[tuple[str, str]]]


@dataclass(frozen=True, init=False)
class Asked:
    """What the token and UserInfo logic read of a request: Flask's or a direct route's
    (`infra.web.direct_routes`). (`__init__`, here and in `Answer`: the dataclass's, with the
    fields put into the instance's dict at once, not one frozen `object.__setattr__` each:
    issue 16.)"""

    headers: protected.Headers  # the method, Authorization and DPoP
    remote: str  # the client's address (the throttle of failed client authentications)
    origin: str | None = None  # a browser page's Origin (`idp.oidc.browser_clients`)

    def __init__(self, headers: protected.Headers, remote: str, origin: str | None = None) -> None:
        self.__dict__.update(headers=headers, remote=remote, origin=origin)


@dataclass(frozen=True, init=False)
class Answer:
    """A JSON answer: written by the Flask views (`_response`) and the direct routes alike."""

    status: int
    body: Mapping[str, Any]
    headers: dict[str, str]
    # Members of `body` whose strings need no JSON escaping (`CedulaJSONProvider.body`).
    verbatim: frozenset[str] = frozenset()

    def __init__(self, status: int, body: Mapping[str, Any], headers: dict[str, str],
                 verbatim: frozenset[str] = frozenset()) -> None:
        self.__dict__.update(status=status, body=body, headers=headers, verbatim=verbatim)


def _flask_asked() -> Asked:
    return Asked(headers=protected.Headers(method=request.method,
                                           authorization=request.environ.get("HTTP_AUTHORIZATION"),
                                           dpop=request.environ.get("HTTP_DPOP")),
                 remote=client_address(), origin=request.environ.get("HTTP_ORIGIN"))


def _flask_fields() -> Iterable[tuple[str, str]]:
    return request.form.items(multi=True)


def _answer(body: Mapping[str, Any], status: int = 200, verbatim: frozenset[str] = frozenset()) -> Answer:
    return Answer(status, body, {"Cache-Control": "no-store", "Pragma": "no-cache"}, verbatim)


def _response(answer: Answer) -> Response:
    response = jsonify(answer.body)
    response.status_code = answer.status
    for name, value in answer.headers.items():
        response.headers[name] = value
    return response


def _oauth_error_answer(exc: OidcError) -> Answer:
    answer = _answer(exc.as_json(), exc.status)
    if isinstance(exc, InvalidClient) and exc.basic:
        answer.headers["WWW-Authenticate"] = 'Basic realm="cedula", charset="UTF-8"'
    if isinstance(exc, ClientAuthenticationThrottled):
        answer.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, dpop.UseDpopNonce):
        # RFC 9449 section 8: 400 use_dpop_nonce with the nonce
        answer.headers.update(protected.nonce_headers(provider()))
    return answer


def _oauth_error(exc: OidcError) -> Response:
    return _response(_oauth_error_answer(exc))


def _dpop_key(client: Client, url: str, *, token_request: bool = True, asked: Asked | None = None,
              oidc: services.Provider | None = None) -> str | None:
    """RFC 9449 section 5: the thumbprint of the request's DPoP proof, required in token
    requests of clients registered with dpop_bound_access_tokens (section 5.2) or FAPI 2.0
    (`oidc`: the provider, when the caller has it)."""
    proof = protected.proof(oidc or provider(), url, asked=asked.headers if asked is not None else None)
    if proof is None and token_request and fapi.requires_dpop(client):
        raise dpop.DpopError("this client is registered with dpop_bound_access_tokens (or FAPI 2.0): "
                             "send a DPoP proof")
    if proof is not None:
        fapi.check_signing_alg(client, proof.alg, what="the DPoP proof", error=dpop.DpopError)
    return proof.jkt if proof is not None else None


def _form() -> dict[str, str]:
    """/introspect's and /revoke's form. No body at all (and no Content-Type) is an empty form,
    so the answer names the missing `token` (RFC 7662 / RFC 7009 section 2.1), not the encoding."""
    if not request.mimetype and _no_body(request.content_length, request.headers.get("Transfer-Encoding")):
        return {}
    return form_of(request.mimetype, _flask_fields)


def _no_body(content_length: int | None, transfer_encoding: str | None) -> bool:
    """Content-Length 0, or neither it nor a Transfer-Encoding (RFC 9112 section 6.3)."""
    return content_length == 0 or (content_length is None and not transfer_encoding)


def form_of(mimetype: str, fields: Fields) -> dict[str, str]:
    """RFC 6749 section 3.2: form-encoded body; no parameter more than once (section 3.1)."""
    if mimetype != FORM:
        raise OidcError(f"send the parameters as {FORM}")
    values: dict[str, str] = {}
    repeated: set[str] | None = None
    for key, value in _read(fields):
        if key in values:
            repeated = {key} if repeated is None else repeated | {key}
        else:
            values[key] = value
    if repeated is not None:  # the first such name, in the order the names first came
        first = next(key for key in values if key in repeated)
        raise OidcError(f"{first} is given more than once (RFC 6749 section 3.1)")
    return values


def _read(fields: Fields) -> Iterable[tuple[str, str]]:
    """`fields()`, a body that is not UTF-8 an OAuth invalid_request saying so (RFC 6749
    appendix B), not the generic 400 sentence."""
    try:
        return fields()
    except UndecodableForm as exc:
        raise OidcError(str(exc.description)) from None


def _pushed_form() -> tuple[dict[str, str], dict[str, list[str]]]:
    """RFC 9126 section 2.1: an authorization request's parameters, as /authorize reads them:
    `resource` may be given more than once (RFC 8707 section 2), any other name at most once.
    The first value of each name (for client authentication) and every value."""
    if request.mimetype != FORM:
        raise OidcError(f"send the parameters as {FORM}")
    every: dict[str, list[str]] = {}
    for key, value in _read(_flask_fields):
        every.setdefault(key, []).append(value)
    for key, values in every.items():
        if len(values) > 1 and key != "resource":
            raise OidcError(f"{key} is given more than once (RFC 6749 section 3.1)")
    return {key: values[0] for key, values in every.items()}, every


def _authenticated(form: dict[str, str], endpoint: str, asked: Asked | None = None, *,
                   oidc: services.Provider | None = None, store: EphemeralStore | None = None) -> Client:
    """RFC 6749 section 2.3, with failed attempts limited per client and address (throttle);
    `oidc` and `store`: the provider and the store, when the caller has them."""
    asked = asked or _flask_asked()
    oidc = oidc or provider()
    store = store or get_store()
    authorization = asked.headers.authorization
    # The client the request claims to be, before anything is checked (for the failure count).
    try:
        credentials: client_auth.Presented | None = client_auth.presented(authorization=authorization, form=form)
        refused: OidcError | None = None
    except OidcError as exc:
        credentials, refused = None, exc
    named = (credentials.client_id if credentials is not None else form.get("client_id", ""))[:200]
    address = asked.remote
    lookup: Callable[[Session, str], Client] = oidc.clients.find
    known: Client | None = None  # the client as cached under the generation read here
    if named:
        # The marks with the cache generation that the client's cached row is checked under
        # (`infra.invalidation`: read before the row): one round trip on a shared store.
        generation, marked, _store = oidc.read_with_generation(
            store, throttle.marks(client_id=named, address=address))
        if throttle.refused_by(marked):
            limits = oidc.settings.client_auth_limits
            raise ClientAuthenticationThrottled(
                f"too many failed client authentications for this client from this address; try again in "
                f"{limits.window} seconds", retry_after=limits.window)
        if oidc.invalidation is not None:
            cached = oidc.clients.cached(named) if credentials is not None and credentials.client_id == named else None
            if cached is not None and cached[0] == generation and generation != NO_GENERATION:
                known = cached[1]  # what `oidc.clients.find(..., generation=generation)` answers
            else:
                lookup = functools.partial(oidc.clients.find, generation=generation)
    try:
        if credentials is None:
            assert refused is not None  # presented() raised it
            raise refused
        if known is not None:  # no session to open (nor `lazy_read` to enter: issue 16)
            found: Client = known
            client = client_auth.authenticate(
                None, authorization=authorization, form=form, store=store,  # type: ignore[arg-type]
                policy=oidc.assertion_policy(endpoint), now=int(time.time()),
                lookup=lambda _session, _client_id: found, credentials=credentials)
        else:
            with get_db().lazy_read() as session:  # a cached client needs no session
                client = client_auth.authenticate(
                    session, authorization=authorization, form=form, store=store,
                    policy=oidc.assertion_policy(endpoint), now=int(time.time()),
                    lookup=lookup, credentials=credentials)
        label_agency(client.client_id)
        return client
    except InvalidClient as exc:
        if named and not isinstance(exc, UnregisteredClient):  # made-up names leave no keys
            throttle.failed(store, oidc.settings.client_auth_limits, client_id=named, address=address)
        raise


@bp.get("/.well-known/openid-configuration")
@bp.get("/.well-known/oauth-authorization-server")
def openid_configuration() -> Response:
    """OpenID Connect Discovery 1.0 section 4 and RFC 8414 section 3 (the issuer has no path,
    so both documents are at the root and are the same)."""
    settings = get_settings()
    response = jsonify(discovery.metadata(provider().settings,
                                          ui_locales=list(settings["i18n"]["languages"])))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/par", methods=["POST", "OPTIONS"], provide_automatic_options=False)
def pushed_authorization_request() -> Response:
    """RFC 9126 section 2: validate the request as /authorize would, keep it, name it; a
    browser client's page reads the answer (CORS) from its registered origin only, as at /token."""
    if request.method == "OPTIONS":
        return _browser_preflight()
    answer, client = _pushed()
    browser_clients.answer_headers(answer.headers, request.environ.get("HTTP_ORIGIN"), client)
    return answer


def _pushed() -> tuple[Response, Client | None]:
    client: Client | None = None
    try:
        form, every = _pushed_form()
        client = _authenticated(form, provider().settings.pushed_authorization_request_endpoint)
        if "request_uri" in form:
            raise OidcError("request_uri cannot be pushed (RFC 9126 section 2.1)")
        params = par.authorization_params(every, client_id=client.client_id)
        settings = provider().settings
        # The proof first: a push refused with use_dpop_nonce (RFC 9449 section 8) is sent again,
        # its request object unchanged, which must not be spent by the refused one (idp.oidc.jar).
        jkt = _dpop_key(client, provider().settings.pushed_authorization_request_endpoint, token_request=False)
        signed = "request" in params
        expanded = jar.expand(params, client=client, remote_keys=provider().remote_keys,
                              issuer=settings.issuer, now=int(time.time()), leeway=settings.leeway_seconds,
                              store=get_store())
        params = {name: list(values) for name, values in expanded.items()}
        if jkt is not None:  # RFC 9449 section 10.1: the proof binds the code, as dpop_jkt would
            if params.get("dpop_jkt", [jkt]) != [jkt]:
                raise dpop.DpopError("dpop_jkt is not the thumbprint of the DPoP proof's key")
            params["dpop_jkt"] = [jkt]
        with get_db().read() as session:
            request_module.validate(session, params, pushed=True, issuer=settings.issuer, signed=signed,
                                    acr_uris=settings.acr_uris,
                                    fapi_loopback_redirects=settings.fapi_loopback_redirects)
        pushed = par.push(get_store(), client_id=client.client_id, params=params,
                          lifetime=provider().settings.par_seconds, now=int(time.time()))
    except OidcError as exc:  # UnsafeRedirect and AuthorizationError too: JSON here (section 2.3)
        return _oauth_error(exc), client
    return uncached_json(pushed.to_json(), 201), client


@bp.route("/token", methods=["POST", "OPTIONS"], provide_automatic_options=False)
def token() -> Response:
    if request.method == "OPTIONS":
        return _browser_preflight()
    return _response(token_answer(_flask_asked(), request.mimetype, _flask_fields))


def _browser_preflight() -> Response:
    """OPTIONS of /token, /par and /revoke: a CORS preflight from a browser client's origin is
    allowed (`idp.oidc.browser_clients`), any other OPTIONS only told the methods."""
    return no_content(204 if "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.environ else 200,
                      browser_clients.preflight_headers(
                          allow="POST, OPTIONS", origin=request.environ.get("HTTP_ORIGIN"),
                          requested_method=request.environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                          known=provider().browser_origins, generation=provider().generation))


def _ready_from_cache(form: dict[str, str], asked: Asked, oidc: services.Provider,
                     store: EphemeralStore) -> tuple[Client, TakeGuard] | None:
    """A code exchange on a networked store whose client is cached in this process: the client
    authenticated against the cached row, and every check `token_answer` makes before the code
    is taken passed, without a store round trip. The guard makes the code's taking
    (`codes.redeem`) check, in the same step, what `_authenticated` reads first: the cache
    generation is still the one the row was read under, and the failure marks do not refuse
    this address (`throttle.refused_by`). None (nothing done that counts, nothing written) when
    any of it does not hold: `token_answer` then goes the usual way, which answers as before.
    Not for DPoP proofs or client assertions, whose checks spend their `jti` in the store."""
    if (asked.headers.dpop is not None or form.get("grant_type") != "authorization_code"
            or oidc.sessions is None or not oidc.reads_together(store)):
        return None
    try:
        credentials = client_auth.presented(authorization=asked.headers.authorization, form=form)
    except OidcError:
        return None
    if credentials.method == "private_key_jwt" or len(credentials.client_id) > 200:
        return None
    cached = oidc.clients.cached(credentials.client_id)
    if cached is None:
        return None
    generation, client = cached
    try:
        client_auth.authenticate(None, authorization=asked.headers.authorization,  # type: ignore[arg-type]
                                 form=form, store=store, policy=oidc.assertion_policy(oidc.settings.token_endpoint),
                                 now=int(time.time()), lookup=lambda _session, _client_id: client,
                                 credentials=credentials)
        if "authorization_code" not in client.client_metadata.get("grant_types", []):
            return None
        if _dpop_key(client, oidc.settings.token_endpoint, asked=asked, oidc=oidc) is not None:
            return None
    except OidcError:
        return None
    refused = throttle.refusing_groups(throttle.marks(client_id=credentials.client_id, address=asked.remote))
    label_agency(client.client_id)
    return client, TakeGuard(GENERATION_KEY, generation, b"0", refused)


def token_answer(asked: Asked, mimetype: str, fields: Fields) -> Answer:
    """RFC 6749 section 3.2: authorization_code (with PKCE), refresh_token and client_credentials;
    a browser client's page reads the answer (CORS) from its registered origin only.

    On a networked store, a code exchange of a client this process has cached takes the code
    with its guard (`_ready_from_cache`): two store round trips instead of three."""
    answer, client = _token_answer(asked, mimetype, fields)
    if asked.origin is not None:
        browser_clients.answer_headers(answer.headers, asked.origin, client)
    return answer


def _token_answer(asked: Asked, mimetype: str, fields: Fields) -> tuple[Answer, Client | None]:
    """`token_answer`'s answer, and the client it was given to (None: none proved who it is)."""
    oidc = provider()
    store = get_store()
    client: Client | None = None
    try:
        form = form_of(mimetype, fields)
        ready = _ready_from_cache(form, asked, oidc, store)
        if ready is not None:
            client = ready[0]
            try:
                exchanged = services.exchange_code(
                    get_db(), store, oidc, client=client, code=form.get("code"),
                    redirect_uri=form.get("redirect_uri"), code_verifier=form.get("code_verifier"),
                    now=int(time.time()), resource=form.get("resource"), group=get_group_commit(),
                    guard=ready[1])
            except GuardRefused:  # nothing taken: the usual way, from the client authentication on
                pass
            else:
                return _issued(oidc, exchanged, client, None), client
        client = _authenticated(form, oidc.settings.token_endpoint, asked, oidc=oidc, store=store)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OidcError("grant_type is required")
        if grant_type not in ("authorization_code", "refresh_token", client_credentials.GRANT_TYPE):
            raise OidcError(f"grant_type {grant_type!r} is not supported: use authorization_code, refresh_token "
                            f"or {client_credentials.GRANT_TYPE} (grant_types_supported in the discovery document)",
                            error="unsupported_grant_type")
        if grant_type not in client.client_metadata.get("grant_types", []):
            raise OidcError(f"this client is not registered for the {grant_type} grant",
                            error="unauthorized_client")
        jkt = _dpop_key(client, oidc.settings.token_endpoint, asked=asked, oidc=oidc)
        now = int(time.time())
        result: services.TokenResponse | client_credentials.ClientCredentialsResponse
        if grant_type == "authorization_code":
            result = services.exchange_code(
                get_db(), store, oidc, client=client,
                code=form.get("code"), redirect_uri=form.get("redirect_uri"),
                code_verifier=form.get("code_verifier"), now=now, jkt=jkt, resource=form.get("resource"),
                group=get_group_commit())
        elif grant_type == client_credentials.GRANT_TYPE:
            if "resource" in form:
                raise resources.InvalidTarget("client_credentials tokens are for Cédula's own agency APIs "
                                              "(documents:issue, indicators:read), named by scope: send "
                                              "no resource")
            result = client_credentials.grant(oidc, client=client, scope=form.get("scope"), now=now, jkt=jkt)
            # Counted within a second, without the request waiting (infra.deferred_counts).
            get_group_commit().count_soon([increment(
                "token.issued", agency=client.client_id, dimension=client_credentials.GRANT_TYPE)])
        else:
            result = refresh.refresh(get_db(), oidc, client=client,
                                     refresh_token=form.get("refresh_token"), scope=form.get("scope"), now=now,
                                     jkt=jkt, resource=form.get("resource"))
    except OidcError as exc:
        return _oauth_error_answer(exc), client
    return _issued(oidc, result, client, jkt), client


def _issued(oidc: services.Provider, result: services.TokenResponse | client_credentials.ClientCredentialsResponse,
            client: Client, jkt: str | None) -> Answer:
    record_token_release(result, client=client)  # the data-sharing log, before the tokens leave
    answer = _answer(result.to_json(), verbatim=result.VERBATIM)
    if jkt is not None:
        answer.headers.update(protected.nonce_headers(oidc))
    return answer


@bp.route("/userinfo", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def userinfo_endpoint() -> Response:
    if request.method == "OPTIONS":
        return _userinfo_preflight()
    if request.method == "HEAD":  # Flask adds it to GET: no claims sent, so no release to log
        raise MethodNotAllowed(valid_methods=["GET", "POST", "OPTIONS"])
    return _response(userinfo_answer(_flask_asked(), functools.partial(
        body_token_of, request.method, request.mimetype, _flask_fields)))


def _userinfo_preflight() -> Response:
    """CORS preflight (Fetch standard): a browser client sends its token in the Authorization
    header (and a DPoP proof), which no cross-origin request may carry unless the preflight
    allows them; without this answer UserInfo's Access-Control-Allow-Origin is never reached."""
    return no_content(204, {"Allow": "GET, POST, OPTIONS", "Access-Control-Allow-Origin": "*",
                            "Access-Control-Allow-Methods": "GET, POST",
                            "Access-Control-Allow-Headers": "Authorization, DPoP",
                            "Access-Control-Max-Age": "600", "Cache-Control": "no-store"})


def body_token_of(method: str, mimetype: str, fields: Fields) -> str | None:
    """RFC 6750 section 2.2: the access token of a form-encoded POST's body; given more than
    once, OidcError (RFC 6749 section 3.1: which one the client meant is unknown)."""
    if method != "POST" or mimetype != FORM:
        return None
    found: str | None = None
    for key, value in fields():
        if key == "access_token":
            if found is not None:
                raise OidcError("access_token is given more than once (RFC 6749 section 3.1)")
            found = value
    return found


def userinfo_answer(asked: Asked, body_token: Callable[[], str | None]) -> Answer:
    """OIDC Core 5.3; the token in the Authorization header (Bearer, or DPoP with its proof,
    RFC 9449 section 7) or (POST) the form body (RFC 6750 section 2.2, `body_token`: read
    when needed, `body_token_of`)."""
    oidc = provider()
    try:
        token = protected.presented(oidc, oidc.settings.userinfo_endpoint, body_token=body_token(),
                                    asked=asked.headers)
        with get_db().lazy_read() as session:  # the release is logged by the group commit
            released = userinfo.userinfo(session, get_store(), oidc, get_group_commit(),
                                         access_token=token.token, now=int(time.time()), jkt=token.jkt)
    except OidcError as exc:
        # RFC 6750 section 3 / RFC 9449 section 7.1: a challenge; no error code when no token was sent.
        refusal = _answer(exc.as_json(), protected.status_of(exc))
        refusal.headers.update(protected.challenge_headers(oidc, exc, asked=asked.headers))
        # A browser client reads its refusal (the challenge, the DPoP nonce) as it reads an answer.
        refusal.headers["Access-Control-Allow-Origin"] = "*"
        refusal.headers.setdefault("Access-Control-Expose-Headers", "WWW-Authenticate")
        return refusal
    label_agency(released.client_id)
    answer = _answer(released.body)
    answer.headers["Access-Control-Allow-Origin"] = "*"
    if token.jkt is not None:
        answer.headers.update(protected.nonce_headers(oidc))
    return answer


def _direct_asked(asked: DirectRequest) -> Asked:
    environ = asked.environ
    return Asked(headers=protected.Headers(method=asked.method, authorization=environ.get("HTTP_AUTHORIZATION"),
                                           dpop=environ.get("HTTP_DPOP")),
                 remote=address_of(asked.remote_addr), origin=environ.get("HTTP_ORIGIN"))


def _direct_response(answer: Answer, asked: DirectRequest) -> DirectResponse:
    return direct_routes.json_response(answer.status, answer.body, answer.headers, asked.app, answer.verbatim)


def direct_token(asked: DirectRequest) -> DirectResponse:
    """POST /token as a direct route (`infra.web.direct_routes`): `token_answer`, as the view."""
    return _direct_response(token_answer(_direct_asked(asked), asked.mimetype, asked.form), asked)


def direct_userinfo(asked: DirectRequest) -> DirectResponse:
    """GET and POST /userinfo as a direct route: `userinfo_answer`, as the view."""
    return _direct_response(userinfo_answer(_direct_asked(asked), functools.partial(
        body_token_of, asked.method, asked.mimetype, asked.form)), asked)


def route_directly(app: Flask) -> None:
    """Answer the hottest endpoints (/token, /userinfo) without Flask's request machinery."""
    direct_routes.route(app, "POST", "/token", "oidc_api.token", direct_token)
    direct_routes.route(app, "GET", "/userinfo", "oidc_api.userinfo_endpoint", direct_userinfo)
    direct_routes.route(app, "POST", "/userinfo", "oidc_api.userinfo_endpoint", direct_userinfo)


@bp.post("/introspect")
def introspect() -> Response:
    """RFC 7662 section 2: for an authenticated client, about its own tokens."""
    try:
        form = _form()
        client = _authenticated(form, provider().settings.introspection_endpoint)
        with get_db().read() as session:
            body = introspection.introspect(session, get_store(), provider(), client=client,
                                            token=form.get("token"), hint=form.get("token_type_hint"),
                                            now=int(time.time()))
    except OidcError as exc:
        return _oauth_error(exc)
    if introspection.wants_signed(request.headers.get("Accept", "")):
        signed = introspection.signed(provider(), client=client, body=body, now=int(time.time()))
        response = Response(signed, status=200, mimetype=introspection.SIGNED_TYPE)
        response.headers["Cache-Control"] = "no-store"
    else:
        response = uncached_json(body)
    response.vary.add("Accept")  # RFC 9110 section 12.5.5: its form follows Accept (RFC 9701 section 4)
    return response


@bp.route("/revoke", methods=["POST", "OPTIONS"], provide_automatic_options=False)
def revoke() -> Response:
    """RFC 7009 section 2: 200 for revoked, unknown and foreign tokens alike; a browser
    client's page reads the answer (CORS) from its registered origin only."""
    if request.method == "OPTIONS":
        return _browser_preflight()
    answer, client = _revoked()
    browser_clients.answer_headers(answer.headers, request.environ.get("HTTP_ORIGIN"), client)
    return answer


def _revoked() -> tuple[Response, Client | None]:
    client: Client | None = None
    try:
        form = _form()
        client = _authenticated(form, provider().settings.revocation_endpoint)
        token_revocation.revoke(get_db(), get_store(), provider(), client=client,
                          token=form.get("token"), hint=form.get("token_type_hint"), now=int(time.time()))
    except OidcError as exc:
        return _oauth_error(exc), client
    return no_content(200, {"Cache-Control": "no-store"}), client  # section 2.2: the content is ignored
