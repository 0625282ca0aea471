"""The authorization endpoint (RFC 6749 section 3.1, OIDC Core 1.0 section 3.1.2) and the pages
a citizen sees on the way: sign-in, identity choice, and what the agency asks for.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request

from clients.registry import Client, ClientNotFound, find_client
from idp.citizens.models import Citizen
from idp.db import get_db
from idp.oidc import assurance, interactions, services
from idp.oidc import claims as claims_module
from idp.oidc import request as request_module
from idp.oidc.errors import AuthorizationError, UnsafeRedirect
from idp.oidc.interactions import Interaction
from idp.sessions import SsoSession, current_session, end_session
from idp.store import get_store
from idp.web.csrf import validate_csrf
from idp.web.errors import error_page
from idp.web.i18n import gettext as _

bp = Blueprint("oidc", __name__)


def provider() -> services.Provider:
    return current_app.extensions["cedula.oidc"]


def _ttl() -> int:
    return provider().settings.interaction_seconds


def _redirect_to_client(uri: str, params: dict[str, str | None], *, form_post: bool) -> Response:
    """RFC 6749 section 4.1.2 / 4.1.2.1 with RFC 9207 `iss`, in the query (response_mode=query)."""
    values = {k: v for k, v in params.items() if v is not None}
    values["iss"] = provider().settings.issuer
    target = uri + ("&" if urlsplit(uri).query else "?") + urlencode(values)
    response = redirect(target, code=303 if form_post else 302)
    response.headers["Cache-Control"] = "no-store"
    if form_post:
        # Chromium applies form-action to the redirect after a form post: allow this client's origin.
        parts = urlsplit(uri)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
        csp = str(current_app.config["CEDULA"]["security"]["content_security_policy"])
        response.headers["Content-Security-Policy"] = csp.replace(
            "form-action 'self'", f"form-action 'self' {origin}")
    return response


def _error_redirect(exc: AuthorizationError, *, form_post: bool = False) -> Response:
    assert exc.redirect_uri is not None
    return _redirect_to_client(exc.redirect_uri, {"error": exc.error, "error_description": exc.description,
                                                  "state": exc.state}, form_post=form_post)


def _request_error(interaction: Interaction, error: str, description: str, *,
                   form_post: bool = False) -> Response:
    exc = AuthorizationError(description, error=error)
    exc.redirect_uri = interaction.request.redirect_uri
    exc.state = interaction.request.state
    return _error_redirect(exc, form_post=form_post)


def _unsafe(description: str, status: int = 400) -> Response:
    response = error_page(status, _("oidc.error.title"), _("oidc.error.unsafe", detail=description))
    response.headers["Cache-Control"] = "no-store"
    return response


def _continue_path(interaction: Interaction) -> str:
    return f"/authorize/continue?interaction={interaction.id}"


def _to_login(interaction: Interaction) -> Response:
    response = redirect("/login?next=" + quote(_continue_path(interaction), safe="/"), code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> Response:
    """RFC 6749 section 4.1.1; OIDC Core 3.1.2.1 (GET and form POST)."""
    source = request.args if request.method == "GET" else request.form
    params = {key: source.getlist(key) for key in source}
    try:
        with get_db(current_app).read() as session:
            _client, validated = request_module.validate(session, params)
    except UnsafeRedirect as exc:
        return _unsafe(exc.description)
    except AuthorizationError as exc:
        return _error_redirect(exc)
    interaction = interactions.start(get_store(current_app), validated, ttl=_ttl())
    return _proceed(interaction)


@bp.get("/authorize/continue")
def resume() -> Response:
    """Where sign-in sends the citizen back to: the same authorization request."""
    interaction = interactions.load(get_store(current_app), request.args.get("interaction"))
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    return _proceed(interaction)


def _client(client_id: str) -> Client | None:
    try:
        with get_db(current_app).read() as session:
            return find_client(session, client_id)
    except ClientNotFound:
        return None


def _proceed(interaction: Interaction, *, form_post: bool = False) -> Response:
    """OIDC Core 3.1.2.3-3.1.2.5: authenticate the citizen, then obtain the decision."""
    store = get_store(current_app)
    areq = interaction.request
    client = _client(areq.client_id)
    if client is None:
        return _unsafe(_("oidc.error.client_gone"))
    sso = current_session()
    prompt = set(areq.prompt)
    if sso is None:
        if "none" in prompt:
            return _request_error(interaction, "login_required", "the citizen is not signed in",
                                  form_post=form_post)
        return _to_login(interaction)

    now = time.time()
    fresh = interaction.login_after is not None and sso.auth_time >= interaction.login_after
    too_old = areq.max_age is not None and now - sso.auth_time > areq.max_age
    if not fresh and ("login" in prompt or too_old):
        if "none" in prompt:
            return _request_error(interaction, "login_required",
                                  "the sign-in is older than max_age; the citizen must sign in again",
                                  form_post=form_post)
        interactions.update(store, interaction, ttl=_ttl(), login_after=now)
        response = _to_login(interaction)
        end_session(response)  # /login signs a signed-in citizen straight through: end it first
        return response

    if "select_account" in prompt and not interaction.account_chosen:
        return _choose_account(interaction, client, sso)

    achieved = assurance.assess(amr=sso.amr, acr_uris=provider().settings.acr_uris)
    requested_claims = claims_module.load(areq.claims)
    try:
        assurance.require(requested=areq.acr_values, essential=False, achieved=achieved,
                          acr_uris=provider().settings.acr_uris)
        acr_values, essential = claims_module.essential_acr(requested_claims)
        assurance.require(requested=acr_values, essential=essential, achieved=achieved,
                          acr_uris=provider().settings.acr_uris)
    except AuthorizationError as exc:
        return _request_error(interaction, exc.error, exc.description, form_post=form_post)

    wanted_sub = requested_claims.get("id_token", {}).get("sub")
    if wanted_sub is not None and wanted_sub.value is not None and \
            wanted_sub.value != services.subject_for(provider(), client, sso.citizen_id):
        return _request_error(interaction, "login_required",
                              "the signed-in citizen is not the subject the request names", form_post=form_post)

    names = claims_module.requested_citizen_claims(scopes=areq.scopes, claims=requested_claims,
                                                   client_scopes=areq.scopes)
    if "consent" not in prompt:
        with get_db(current_app).read() as session:
            covered = services.prior_grant_covers(
                session, citizen_id=sso.citizen_id, client_id=client.client_id, scopes=areq.scopes,
                claim_names=names, now=services.utc_now())
        if covered:
            return _issue(interaction, sso, achieved, form_post=form_post)
    if "none" in prompt:
        return _request_error(interaction, "consent_required",
                              "the citizen has not yet allowed this agency to receive this data",
                              form_post=form_post)
    interactions.update(store, interaction, ttl=_ttl(), shown_to=sso.sid)
    return _decision_page(interaction, client, names)


def _issue(interaction: Interaction, sso: SsoSession, achieved: assurance.Assurance, *,
           form_post: bool) -> Response:
    store = get_store(current_app)
    if interactions.finish(store, interaction.id) is None:
        return _unsafe(_("oidc.error.expired"))
    sign_in = services.SignIn(citizen_id=sso.citizen_id, sid=sso.sid, auth_time=int(sso.auth_time),
                              assurance=achieved)
    code = services.issue_code(store, provider(), request=interaction.request, sign_in=sign_in,
                               now=int(time.time()))
    return _redirect_to_client(interaction.request.redirect_uri,
                               {"code": code, "state": interaction.request.state}, form_post=form_post)


def _no_store(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _decision_page(interaction: Interaction, client: Client, names: list[str]) -> Response:
    metadata = client.client_metadata
    return _no_store(render_template(
        "oidc/authorize.html", interaction=interaction.id,
        client_name=metadata.get("client_name") or client.client_id,
        purpose=metadata.get("purpose"), claims=names,
        offline="offline_access" in interaction.request.scopes,
        host=urlsplit(interaction.request.redirect_uri).netloc or interaction.request.redirect_uri))


def _choose_account(interaction: Interaction, client: Client, sso: SsoSession) -> Response:
    with get_db(current_app).read() as session:
        citizen = session.get(Citizen, services.as_uuid(sso.citizen_id))
    return _no_store(render_template(
        "oidc/select_account.html", interaction=interaction.id,
        client_name=client.client_metadata.get("client_name") or client.client_id,
        name=citizen.full_name if citizen else ""))


def _posted_interaction() -> Interaction | None:
    validate_csrf()
    return interactions.load(get_store(current_app), request.form.get("interaction"))


@bp.post("/authorize/account")
def choose_account() -> Response:
    """prompt=select_account: continue as the signed-in citizen, or sign in as someone else."""
    interaction = _posted_interaction()
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    interaction = interactions.update(get_store(current_app), interaction, ttl=_ttl(), account_chosen=True)
    if request.form.get("choice") == "switch":
        response = _to_login(interaction)
        response.status_code = 303
        end_session(response)
        return response
    return _proceed(interaction, form_post=True)


@bp.post("/authorize/decision")
def decide() -> Response:
    """The citizen's answer: `decision=allow` issues a code, `deny` returns access_denied."""
    interaction = _posted_interaction()
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    sso = current_session()
    if sso is None or sso.sid != interaction.shown_to:
        # Signed out or another citizen since the page was shown: start the checks again.
        return redirect(_continue_path(interaction), code=303)
    decision = request.form.get("decision")
    if decision == "deny":
        interactions.finish(get_store(current_app), interaction.id)
        return _request_error(interaction, "access_denied", "the citizen did not allow the request",
                              form_post=True)
    if decision != "allow":
        return _unsafe(_("oidc.error.decision"))
    achieved = assurance.assess(amr=sso.amr, acr_uris=provider().settings.acr_uris)
    return _issue(interaction, sso, achieved, form_post=True)
