"""The JSON endpoints: discovery, token, UserInfo, introspection, revocation.

Token-style errors are RFC 6749 section 5.2 JSON with 400 or 401 (`WWW-Authenticate` when the
client used HTTP Basic); UserInfo errors are RFC 6750 section 3 bearer challenges.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from flask import Blueprint, Response, current_app, jsonify, request

from clients.registry import Client
from idp.consent.release import record_token_release
from idp.oidc import (
    client_auth,
    client_credentials,
    discovery,
    introspection,
    provider,
    refresh,
    revocation,
    services,
    throttle,
    userinfo,
)
from idp.oidc.errors import ClientAuthenticationThrottled, InvalidClient, OidcError
from infra.config import get_settings
from infra.db import get_db
from infra.indicators import tally_apart
from infra.ops.metrics import label_agency
from infra.store import get_store
from infra.web.ratelimit import client_address

bp = Blueprint("oidc_api", __name__)

FORM = "application/x-www-form-urlencoded"


def _json(body: Mapping, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _oauth_error(exc: OidcError) -> Response:
    response = _json({"error": exc.error, "error_description": exc.description}, exc.status)
    if isinstance(exc, InvalidClient) and exc.basic:
        response.headers["WWW-Authenticate"] = 'Basic realm="cedula", charset="UTF-8"'
    if isinstance(exc, ClientAuthenticationThrottled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _form() -> dict[str, str]:
    """RFC 6749 section 3.2: form-encoded body; no parameter more than once (section 3.1)."""
    if request.mimetype != FORM:
        raise OidcError(f"send the parameters as {FORM}")
    values: dict[str, str] = {}
    for key in request.form:
        found = request.form.getlist(key)
        if len(found) > 1:
            raise OidcError(f"{key} is given more than once (RFC 6749 section 3.1)")
        values[key] = found[0]
    return values


def _named_client(form: dict[str, str]) -> str:
    """The client a request claims to be, before anything is checked (for the failure count)."""
    try:
        return client_auth.presented(authorization=request.headers.get("Authorization"), form=form).client_id
    except OidcError:
        return form.get("client_id", "")


def _authenticated(form: dict[str, str], endpoint: str) -> Client:
    """RFC 6749 section 2.3, with failed attempts limited per client and address (throttle)."""
    store = get_store(current_app)
    limits = provider().settings.client_auth_limits
    named, address = _named_client(form)[:200], client_address()
    if named and throttle.refused(store, limits, client_id=named, address=address):
        raise ClientAuthenticationThrottled(
            f"too many failed client authentications for this client from this address; try again in "
            f"{limits.window} seconds", retry_after=limits.window)
    try:
        with get_db(current_app).read() as session:
            client = client_auth.authenticate(
                session, authorization=request.headers.get("Authorization"), form=form, store=store,
                policy=provider().assertion_policy(endpoint), now=int(time.time()),
                lookup=provider().clients.find)
        label_agency(client.client_id)
        return client
    except InvalidClient:
        if named:
            throttle.failed(store, limits, client_id=named, address=address)
        raise


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    """OpenID Connect Discovery 1.0 section 4."""
    settings = get_settings()
    response = jsonify(discovery.metadata(provider().settings,
                                          ui_locales=list(settings["i18n"]["languages"])))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.post("/token")
def token() -> Response:
    """RFC 6749 section 3.2: authorization_code (with PKCE) and refresh_token grants."""
    try:
        form = _form()
        client = _authenticated(form, provider().settings.token_endpoint)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OidcError("grant_type is required")
        if grant_type not in ("authorization_code", "refresh_token", client_credentials.GRANT_TYPE):
            raise OidcError(f"grant_type {grant_type!r} is not supported here", error="unsupported_grant_type")
        if grant_type not in client.client_metadata.get("grant_types", []):
            raise OidcError(f"this client is not registered for the {grant_type} grant",
                            error="unauthorized_client")
        now = int(time.time())
        if grant_type == "authorization_code":
            result = services.exchange_code(
                get_db(current_app), get_store(current_app), provider(), client=client,
                code=form.get("code"), redirect_uri=form.get("redirect_uri"),
                code_verifier=form.get("code_verifier"), now=now)
        elif grant_type == client_credentials.GRANT_TYPE:
            result = client_credentials.grant(provider(), client=client, scope=form.get("scope"), now=now)
            tally_apart(get_db(current_app), "token.issued", agency=client.client_id,
                        dimension=client_credentials.GRANT_TYPE)
        else:
            result = refresh.refresh(get_db(current_app), provider(), client=client,
                                     refresh_token=form.get("refresh_token"), scope=form.get("scope"), now=now)
    except OidcError as exc:
        return _oauth_error(exc)
    record_token_release(result, client=client)  # the data-sharing log, before the tokens leave
    return _json(result.to_json())


def _bearer_error(exc: OidcError | None, status: int = 401) -> Response:
    """RFC 6750 section 3: a challenge; no error code when no token was sent (section 3.1)."""
    challenge = 'Bearer realm="cedula"'
    body: dict[str, str] = {"error": "invalid_token", "error_description": "An access token is required."}
    if exc is not None:
        status = exc.status
        safe = exc.description.replace('"', "'")
        challenge += f', error="{exc.error}", error_description="{safe}"'
        body = {"error": exc.error, "error_description": exc.description}
    response = _json(body, status)
    response.headers["WWW-Authenticate"] = challenge
    return response


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo_endpoint() -> Response:
    """OIDC Core 5.3; the token in the Authorization header or (POST) the form body (RFC 6750 2)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    from_header = value.strip() if scheme.lower() == "bearer" else None
    from_body = request.form.get("access_token") if request.method == "POST" and request.mimetype == FORM else None
    if from_header and from_body:
        return _bearer_error(OidcError("send the access token once, not in the header and the body"), 400)
    token = from_header or from_body
    if not token:
        return _bearer_error(None)
    try:
        with get_db(current_app).transaction() as session:  # the release is logged in it
            body = userinfo.userinfo(session, get_store(current_app), provider(), access_token=token,
                                     now=int(time.time()))
    except OidcError as exc:
        return _bearer_error(exc)
    response = _json(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.post("/introspect")
def introspect() -> Response:
    """RFC 7662 section 2: for an authenticated client, about its own tokens."""
    try:
        form = _form()
        client = _authenticated(form, provider().settings.introspection_endpoint)
        with get_db(current_app).read() as session:
            body = introspection.introspect(session, get_store(current_app), provider(), client=client,
                                            token=form.get("token"), hint=form.get("token_type_hint"),
                                            now=int(time.time()))
    except OidcError as exc:
        return _oauth_error(exc)
    return _json(body)


@bp.post("/revoke")
def revoke() -> Response:
    """RFC 7009 section 2: 200 for revoked, unknown and foreign tokens alike."""
    try:
        form = _form()
        client = _authenticated(form, provider().settings.revocation_endpoint)
        revocation.revoke(get_db(current_app), get_store(current_app), provider(), client=client,
                          token=form.get("token"), hint=form.get("token_type_hint"), now=int(time.time()))
    except OidcError as exc:
        return _oauth_error(exc)
    response = Response(status=200)
    response.headers["Cache-Control"] = "no-store"
    return response
