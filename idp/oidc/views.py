"""The authorization endpoint (RFC 6749 section 3.1, OIDC Core 1.0 section 3.1.2) and the pages
a citizen sees on the way: sign-in, identity choice, and consent (what the agency asks for,
claim by claim; remembered per agency by `idp.consent`).

GET /authorize is also a direct route (`infra.web.direct_routes`, `direct_authorize`): a request
answered at once with a redirect to the client (a code for a signed-in citizen whose consent
stands, or an OAuth error) is answered without Flask's request machinery, by the same functions
as the view (`_validated`, `_decide`, `_at_once`); every other request (a page, a sign-in, a
pushed request) is declined before any effect and answered by the view.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from urllib.parse import quote, quote_plus, urlsplit

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response as BaseResponse

from clients.registry import Client, ClientNotFound
from idp import audit
from idp.citizens.models import Citizen
from idp.consent import decision as consent_decision
from idp.consent import services as consent_services
from idp.consent.consents import get_consents
from idp.oidc import assurance, interaction_policy, interactions, jar, jarm, par, parameters, services, subjects
from idp.oidc import claims as claims_module
from idp.oidc import redirect_uris as redirect_uri_rules
from idp.oidc import request as request_module
from idp.oidc import standing as standing_module
from idp.oidc.agency import agency_view
from idp.oidc.current import provider
from idp.oidc.errors import AuthorizationError, InvalidRequestUri, UnsafeRedirect
from idp.oidc.interactions import Interaction
from idp.oidc.request import AuthorizationRequest
from idp.oidc.services import Provider
from idp.sessions import SsoSession, current_session, end_session, session_from_cookies
from infra.config import get_settings
from infra.db import get_db
from infra.group_commit import get_group_commit
from infra.indicators import Increment, increment
from infra.ops.metrics import label_agency
from infra.store import EphemeralStore, get_store
from infra.web import direct_routes
from infra.web.csrf import validate_csrf
from infra.web.direct_routes import DirectHeaders, DirectRequest, DirectResponse
from infra.web.errors import error_page
from infra.web.i18n import current_language, use_ui_locales
from infra.web.i18n import gettext as _

bp = Blueprint("oidc", __name__)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Here:
    """What one request reads once and passes on: the provider, the ephemeral store, and the
    cache generation (`infra.invalidation`: read before any cached row is used or kept)."""

    provider: Provider
    store: EphemeralStore
    generation: bytes

    @classmethod
    def now(cls) -> _Here:
        built = provider()
        return cls(provider=built, store=get_store(current_app), generation=built.generation())

    @property
    def ttl(self) -> int:
        return self.provider.settings.interaction_seconds

    def client(self, session: Session, client_id: str) -> Client:
        """The enabled client `client_id` (the provider's cache, under this request's generation)."""
        return self.provider.clients.find(session, client_id, self.generation)


def _redirect_to_client(here: _Here, uri: str, params: dict[str, str | None], *, form_post: bool,
                        jarm_for: str | None = None) -> _Redirect:
    """RFC 6749 section 4.1.2 / 4.1.2.1 with RFC 9207 `iss`, in the query (response_mode=query);
    for `jarm_for` (a client that asked for query.jwt or jwt), all of it in one signed JWT."""
    issuer = here.provider.settings.issuer
    if jarm_for is not None:
        values = {k: v for k, v in params.items() if v is not None}
        query = "response=" + quote_plus(jarm.response(here.provider.signer, issuer=issuer, client_id=jarm_for,
                                                       params=values, now=int(time.time())))
    else:
        # What urlencode gives for the same pairs: the names are plain words, the values quoted.
        query = "&".join([f"{name}={quote_plus(value)}" for name, value in params.items() if value is not None]
                         + [f"iss={_quoted(issuer)}"])
    joiner, as_is = _client_uri(uri)
    return _Redirect(uri + joiner + query, 303 if form_post else 302,
                     csp=_csp_posting_to(uri) if form_post else None, as_is=as_is)


@lru_cache(maxsize=256)
def _client_uri(uri: str) -> tuple[str, bool]:
    """How a query is added to the redirect URI `uri` ("?", or "&" after its own query), and
    whether werkzeug sends `uri` with such a query as it is (`iri_to_uri` changes nothing: `uri`
    is a URI already, and what is added is `quote_plus` output joined by & and =, which it keeps)."""
    return ("&" if urlsplit(uri).query else "?"), iri_to_uri(uri) == uri


@lru_cache(maxsize=64)
def _quoted(value: str) -> str:
    """quote_plus of a value that seldom changes (the issuer), once."""
    return quote_plus(value)


# werkzeug.utils.redirect's page, as flask.redirect sends it.
_REDIRECT_PAGE = ("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
                  "<p>You should be redirected automatically to the target URL: "
                  '<a href="{0}">{0}</a>. If not, click the link.\n')


_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class _Redirect:
    """`flask.redirect(target, code)` with Cache-Control: no-store (and `csp`, the page's
    Content-Security-Policy, when set): the same page and headers, built in one step, for the
    view (`response`) and the direct route (`direct`) alike."""

    target: str
    code: int
    csp: str | None = None
    as_is: bool = False  # `iri_to_uri(target)` is `target` (`_client_uri`)

    def direct(self) -> DirectResponse:
        """The answer as sent: werkzeug sends a response's `Location` as a URI (`iri_to_uri`,
        in `Response.get_wsgi_headers`)."""
        return self._built(self.target if self.as_is else iri_to_uri(self.target))

    def response(self) -> BaseResponse:
        """The answer as a Flask response (Flask's hooks add to it)."""
        answer = self._built(self.target)
        return current_app.response_class(answer.body, answer.status, headers=answer.headers.items)

    def _built(self, location: str) -> DirectResponse:
        body = _REDIRECT_PAGE.format(escape(self.target)).encode()
        headers = DirectHeaders([("Content-Type", _HTML), ("Content-Length", str(len(body))),
                                 ("Location", location), ("Cache-Control", "no-store")])
        if self.csp is not None:
            headers["Content-Security-Policy"] = self.csp
        return DirectResponse(self.code, headers, body)


def _no_store_redirect(target: str, *, code: int) -> BaseResponse:
    return _Redirect(target, code).response()


def _csp_posting_to(uri: str) -> str:
    """Chromium checks form-action (of the page with the form) on the redirect after a form post:
    a page whose form ends in a redirect to the client allows the client's origin."""
    parts = urlsplit(uri)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
    csp = str(get_settings()["security"]["content_security_policy"])
    return csp.replace("form-action 'self'", f"form-action 'self' {origin}")


def _error_redirect(here: _Here, exc: AuthorizationError, *, form_post: bool = False) -> _Redirect:
    assert exc.redirect_uri is not None
    return _redirect_to_client(here, exc.redirect_uri, {**exc.as_json(), "state": exc.state}, form_post=form_post,
                               jarm_for=exc.client_id if jarm.wanted(exc.response_mode) else None)


def _request_error(here: _Here, interaction: Interaction, error: str, description: str, *,
                   form_post: bool = False) -> _Redirect:
    exc = AuthorizationError(description, error=error)
    exc.redirect_uri = interaction.request.redirect_uri
    exc.state = interaction.request.state
    exc.client_id = interaction.request.client_id
    exc.response_mode = interaction.request.response_mode
    return _error_redirect(here, exc, form_post=form_post)


def _unsafe(message: str, status: int = 400) -> BaseResponse:
    """The page for a request Cédula will not answer by redirect: `message`, a sentence for the
    citizen (what happened, what to do next)."""
    response = error_page(status, _("oidc.error.title"), message)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(exc: UnsafeRedirect, params: Mapping[str, Sequence[str]]) -> BaseResponse:
    """RFC 6749 section 4.1.2.1: a request whose client or redirect URI cannot be trusted gets a
    page, never a redirect. The citizen reads plain words and what to do (a spent or expired
    link: start again at the agency; anything else: go back, and tell the agency if it happens
    again); the technical sentence, for the agency's developers, goes to the log with the
    client it named (an agency asking support is told it from there)."""
    client_ids = params.get("client_id") or [""]
    log.warning("authorization request refused with a page", extra={
        "error": exc.error, "error_description": exc.description, "client_id": str(client_ids[0])[:64]})
    spent = isinstance(exc, InvalidRequestUri | jar.SpentRequestObject)
    return _unsafe(_("oidc.error.expired" if spent else "oidc.error.unsafe"))


def _continue_path(interaction: Interaction) -> str:
    return f"/authorize/continue?interaction={interaction.id}"


def _to_login(interaction: Interaction, *, reauth: bool = False) -> BaseResponse:
    # reauth: the signed-in citizen must sign in again; the SSO session (and so every other
    # agency's session) stays, see idp.sessions.reauthenticate.
    target = "/login?next=" + quote(_continue_path(interaction), safe="/") + ("&reauth=1" if reauth else "")
    return _no_store_redirect(target, code=302)


def _request_object(here: _Here, client: Client, params: Mapping[str, Sequence[str]]) -> Mapping[str, Sequence[str]]:
    """RFC 9101: the parameters of the request's signed request object."""
    settings = here.provider.settings
    return jar.expand(params, client=client, remote_keys=here.provider.remote_keys, issuer=settings.issuer,
                      now=int(time.time()), leeway=settings.leeway_seconds, store=here.store)


def _one(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or []
    if len(values) != 1:
        raise UnsafeRedirect(f"{name} must be given once")
    return values[0]


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> BaseResponse:
    """RFC 6749 section 4.1.1; OIDC Core 3.1.2.1 (GET and form POST)."""
    source = request.args if request.method == "GET" else request.form
    here = _Here.now()
    params = source.to_dict(flat=False)
    try:
        client, validated = _validated(here, params)
    except UnsafeRedirect as exc:
        return _refused(exc, params)
    except AuthorizationError as exc:
        return _error_redirect(here, exc).response()
    label_agency(validated.client_id)
    use_ui_locales(validated.ui_locales)  # the language of any page this request shows
    # Stored only if the citizen must go somewhere and come back (`_answer`). Counted with
    # the request's next step, if any: one group commit per request.
    return _proceed(here, interactions.begin(validated), client, stored=False, funnel=_ASKED)


_ASKED = ("authorize",)  # the funnel step of a new authorization request


def direct_authorize(asked: DirectRequest) -> DirectResponse | None:
    """GET /authorize as a direct route (`infra.web.direct_routes`): the view's answer when it
    is a redirect to the client at once (a code, an OAuth error); None (the view answers) for
    anything else, decided before any effect. A pushed request (request_uri) and a request
    object (`request`) are declined unread: taking the one and spending the other (idp.oidc.jar)
    are effects. Reading the SSO session may refresh its idle clock, as the view's reading it
    again would."""
    params: dict[str, list[str]] = {}
    for name, value in asked.args():
        params.setdefault(name, []).append(value)  # as `request.args.to_dict(flat=False)`
    if "request_uri" in params or "request" in params:
        return None
    here = _Here.now()
    try:
        client, validated = _validated(here, params)
    except UnsafeRedirect:
        return None  # an error page
    except AuthorizationError as exc:
        return _error_redirect(here, exc).direct()
    label_agency(validated.client_id)
    interaction = interactions.begin(validated)
    sso = session_from_cookies(asked.cookies())
    outcome = _decide(here, interaction, client, sso)
    if not isinstance(outcome, interaction_policy.Issue | interaction_policy.Refuse):
        return None  # a page, or a sign-in: the interaction is stored there
    return _at_once(here, interaction, sso, outcome, form_post=False, funnel=_ASKED).direct()


def route_directly(app: Flask) -> None:
    """GET /authorize without Flask's request machinery when it is answered at once."""
    direct_routes.route(app, "GET", "/authorize", "oidc.authorize", direct_authorize)


def _validated(here: _Here, params: Mapping[str, Sequence[str]]) -> tuple[Client, AuthorizationRequest]:
    """The client and the validated request of `params` (the query or form); raises
    UnsafeRedirect or AuthorizationError. With request_uri, the pushed request is taken (RFC
    9126 section 4: only it counts, once)."""
    settings = here.provider.settings
    params = parameters.without_empty(params)
    pushed = "request_uri" in params
    if pushed:
        params = par.take(here.store, request_uri=_one(params, "request_uri"),
                          client_id=_one(params, "client_id"), now=int(time.time()))
    with get_db(current_app).lazy_read() as session:
        try:
            return request_module.validate(
                session, params, pushed=pushed, require_par=settings.require_pushed_authorization_requests,
                expand=partial(_request_object, here), issuer=settings.issuer, lookup=here.client,
                acr_uris=settings.acr_uris, fapi_loopback_redirects=settings.fapi_loopback_redirects)
        except AuthorizationError as exc:
            # RFC 6749 section 3.1: a state given more than once is refused (invalid_request), and
            # which value the client meant is unknown: the error goes back without one.
            if len(params.get("state") or []) > 1:
                exc.state = None
            raise


def _funnel(client_id: str, *steps: str) -> None:
    """authorize -> consent -> code: where citizens stop on their way to an agency (the steps
    this request went through, written within a second without the request waiting:
    `infra.deferred_counts`)."""
    if steps:
        get_group_commit(current_app).count_soon(_funnel_counts(client_id, steps, int(time.time() // _DAY)))


_DAY = 86_400
_FUNNEL_MAX = 4_096
# (agency, steps) -> (UTC day number, its increments): the same few per agency, all day.
_funnel_kept: dict[tuple[str, tuple[str, ...]], tuple[int, tuple[Increment, ...]]] = {}


def _funnel_counts(client_id: str, steps: tuple[str, ...], day: int) -> tuple[Increment, ...]:
    """The increments of `steps` for `client_id` on UTC day number `day` (built once a day)."""
    key = (client_id, steps)
    kept = _funnel_kept.get(key)
    if kept is not None and kept[0] == day:
        return kept[1]
    on = datetime.fromtimestamp(day * _DAY, UTC)
    counts = tuple(increment("funnel.authorization", agency=client_id, dimension=step, now=on) for step in steps)
    if len(_funnel_kept) >= _FUNNEL_MAX:
        _funnel_kept.clear()
    _funnel_kept[key] = (day, counts)
    return counts


@bp.get("/authorize/continue")
def resume() -> BaseResponse:
    """Where sign-in sends the citizen back to: the same authorization request."""
    here = _Here.now()
    interaction = interactions.load(here.store, request.args.get("interaction"))
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    use_ui_locales(interaction.request.ui_locales)
    return _proceed(here, interaction, _client(here, interaction.request.client_id), stored=True)


def _client(here: _Here, client_id: str) -> Client | None:
    try:
        with get_db(current_app).lazy_read() as session:
            return here.client(session, client_id)
    except ClientNotFound:
        return None


def _proceed(here: _Here, interaction: Interaction, client: Client | None, *, stored: bool,
             form_post: bool = False, funnel: tuple[str, ...] = ()) -> BaseResponse:
    """OIDC Core 3.1.2.3-3.1.2.5: gather the facts, let the interaction policy decide, answer.
    `client`: the enabled client of the request, None when it is gone; `stored`: whether the
    interaction is in the store (it is taken when answered)."""
    if client is None:
        _funnel(interaction.request.client_id, *funnel)
        return _unsafe(_("oidc.error.client_gone"))
    if stored and not _still_registered(client, interaction):
        return _unsafe(_("oidc.error.unsafe"))
    sso = current_session()
    outcome = _decide(here, interaction, client, sso)
    return _answer(here, interaction, client, sso, outcome, stored=stored, form_post=form_post, funnel=funnel)


def _still_registered(client: Client, interaction: Interaction) -> bool:
    """A kept request's redirect URI is still registered (RFC 6749 3.1.2.3): one removed since
    the request began (a host the agency gave up) gets neither a code nor a refusal."""
    metadata = client.client_metadata
    native = metadata.get("application_type", "web") == "native"
    return any(redirect_uri_rules.matches(interaction.request.redirect_uri, uri, native=native)
               for uri in metadata.get("redirect_uris", []))


def _decide(here: _Here, interaction: Interaction, client: Client,
            sso: SsoSession | None) -> interaction_policy.Outcome:
    """The facts the interaction policy needs (read, without effects), and its outcome."""
    op = here.provider
    acr_uris = op.settings.acr_uris
    standing = None
    achieved = None
    reachable: Callable[[str], bool] = _unreachable
    if sso is not None:
        # What does not change per request is kept per process under the cache generation.
        achieved = assurance.assess_sign_in(sso, acr_uris=acr_uris, cache=op.sign_in_levels,
                                            generation=here.generation)
        reachable = assurance.reachable_by(sso.citizen_id)
        decision = standing_module.kept_decision(get_db(current_app), op.decisions, citizen_id=sso.citizen_id,
                                                 client_id=client.client_id, generation=here.generation)
        if decision is not None and standing_module.refusal(decision, services.utc_now(),
                                                            client.client_metadata) is None:
            standing = consent_decision.Prior(granted=decision.claims, declined=decision.declined)
    facts = interaction_policy.Facts(achieved=achieved, acr_uris=acr_uris, reachable=reachable,
                                     subject_of=lambda citizen_id: subjects.subject_for(op, client, citizen_id))
    return interaction_policy.decide(interaction, sso, standing, time.time(), facts=facts)


def _unreachable(_level: str) -> bool:
    return False


def _answer(here: _Here, interaction: Interaction, client: Client, sso: SsoSession | None,
            outcome: interaction_policy.Outcome, *, stored: bool, form_post: bool,
            funnel: tuple[str, ...] = ()) -> BaseResponse:
    """The response for each outcome of the interaction policy (the only effects are here);
    `funnel`: the steps of this request not counted yet. The interaction is stored here for
    the outcomes that bring the citizen back to it, and taken when a code answers it."""
    store = here.store
    if isinstance(outcome, interaction_policy.Issue) and stored \
            and interactions.finish(store, interaction.id) is None:
        # Answered once: taken already (a second tab). One never stored is answered here and
        # nowhere else.
        _funnel(interaction.request.client_id, *funnel)
        return _unsafe(_("oidc.error.expired"))
    if isinstance(outcome, interaction_policy.Issue | interaction_policy.Refuse):
        return _at_once(here, interaction, sso, outcome, form_post=form_post, funnel=funnel).response()
    if not isinstance(outcome, interaction_policy.Consent):
        _funnel(client.client_id, *funnel)
    match outcome:
        case interaction_policy.Login(reauth=reauth, login_after=login_after):
            if login_after is not None:
                interaction = interactions.update(store, interaction, ttl=here.ttl, login_after=login_after)
            elif not stored:
                interaction = interactions.save(store, interaction, ttl=here.ttl)
            return _to_login(interaction, reauth=reauth)
        case interaction_policy.SelectAccount():
            assert sso is not None
            if not stored:
                interaction = interactions.save(store, interaction, ttl=here.ttl)
            return _choose_account(interaction, client, sso)
        case interaction_policy.StepUp(level=level):
            return assurance.step_up(store, interaction, level, ttl=here.ttl)
        case interaction_policy.Consent(asked=asked, standing=standing, again=again):
            assert sso is not None
            interaction = interactions.update(store, interaction, ttl=here.ttl, shown_to=sso.sid)
            _funnel(client.client_id, *funnel, "consent")
            return _decision_page(interaction, client, sso, asked, standing, again=again)
    raise AssertionError(f"unhandled outcome {outcome!r}")


def _at_once(here: _Here, interaction: Interaction, sso: SsoSession | None,
             outcome: interaction_policy.Issue | interaction_policy.Refuse, *, form_post: bool,
             funnel: tuple[str, ...]) -> _Redirect:
    """The redirect to the client that answers `outcome` (a code, or an OAuth error), with its
    effects (the code issued, the funnel counted): the view's and the direct route's."""
    if isinstance(outcome, interaction_policy.Refuse):
        _funnel(interaction.request.client_id, *funnel)
        return _request_error(here, interaction, outcome.error, outcome.description, form_post=form_post)
    assert sso is not None
    return _code_response(here, interaction, sso, outcome.achieved, granted=outcome.granted,
                          form_post=form_post, funnel=funnel)


def _code_response(here: _Here, interaction: Interaction, sso: SsoSession, achieved: assurance.Assurance, *,
                   granted: frozenset[str], form_post: bool, funnel: tuple[str, ...] = ()) -> _Redirect:
    sign_in = services.SignIn(citizen_id=sso.citizen_id, sid=sso.sid, auth_time=int(sso.auth_time),
                              assurance=achieved, credential_id=sso.credential_id)
    code = services.issue_code(here.store, here.provider, request=interaction.request,
                               sign_in=sign_in, granted=granted, now=time.time())
    _funnel(interaction.request.client_id, *funnel, "code")
    areq = interaction.request
    return _redirect_to_client(here, areq.redirect_uri, {"code": code, "state": areq.state}, form_post=form_post,
                               jarm_for=areq.client_id if jarm.wanted(areq.response_mode) else None)


def _no_store(body: str, status: int = 200, *, posts_to: str | None = None) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if posts_to is not None:
        response.headers["Content-Security-Policy"] = _csp_posting_to(posts_to)
    return response


def _agency(client: Client) -> consent_services.Agency:
    shown = agency_view(client, with_logo=False)
    return consent_services.Agency(client_id=client.client_id, name=shown.name, purpose=shown.purpose)


def _decision_page(interaction: Interaction, client: Client, sso: SsoSession, asked: consent_decision.Asked,
                   standing: consent_decision.Prior | None, *, again: bool) -> BaseResponse:
    """OIDC Core 3.1.2.4: the consent step. Each item with the value the agency will receive;
    required ones listed, optional ones as ticked boxes the citizen can untick."""
    with get_db(current_app).read() as session:
        citizen = session.get(Citizen, services.as_uuid(sso.citizen_id))
    shown = consent_decision.to_ask(standing, asked, again=again)
    already = [n for n in asked.items if n not in shown and standing is not None and n in standing.granted]
    values = {name: claims_module.citizen_value(citizen, name) for name in asked.items
              if name in claims_module.CITIZEN_CLAIMS} if citizen is not None else {}
    agency = agency_view(client)
    basis, law = get_consents(current_app).policy.basis(client.client_id)
    return _no_store(render_template(
        "oidc/authorize.html", interaction=interaction.id, client_name=agency.name,
        purpose=agency.purpose, agency=agency, law=law if basis == "law" else None,
        required=[n for n in shown if asked.required(n)],
        optional=[n for n in shown if not asked.required(n)],
        already=already, values=values,
        host=urlsplit(interaction.request.redirect_uri).netloc or interaction.request.redirect_uri),
        posts_to=interaction.request.redirect_uri)


def _choose_account(interaction: Interaction, client: Client, sso: SsoSession) -> BaseResponse:
    with get_db(current_app).read() as session:
        citizen = session.get(Citizen, services.as_uuid(sso.citizen_id))
    return _no_store(render_template(
        "oidc/select_account.html", interaction=interaction.id,
        client_name=agency_view(client, with_logo=False).name,
        name=citizen.full_name if citizen else ""), posts_to=interaction.request.redirect_uri)


def _posted_interaction(here: _Here) -> Interaction | None:
    validate_csrf()
    interaction = interactions.load(here.store, request.form.get("interaction"))
    if interaction is not None:
        use_ui_locales(interaction.request.ui_locales)
    return interaction


@bp.post("/authorize/account")
def choose_account() -> BaseResponse:
    """prompt=select_account: continue as the signed-in citizen, or sign in as someone else."""
    here = _Here.now()
    interaction = _posted_interaction(here)
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    interaction = interactions.update(here.store, interaction, ttl=here.ttl, account_chosen=True)
    if request.form.get("choice") == "switch":
        response = _to_login(interaction)
        response.status_code = 303
        end_session(response)
        return response
    return _proceed(here, interaction, _client(here, interaction.request.client_id), stored=True, form_post=True)


@bp.post("/authorize/decision")
def decide() -> BaseResponse:
    """The citizen's answer: `decision=allow` issues a code, `deny` returns access_denied."""
    here = _Here.now()
    interaction = _posted_interaction(here)
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    sso = current_session()
    if sso is None or sso.sid != interaction.shown_to or interaction_policy.too_old(interaction, sso, time.time()):
        # Signed out, another citizen, or a sign-in now older than max_age since the page was
        # shown: start the checks again.
        return redirect(_continue_path(interaction), code=303)
    answer = request.form.get("decision")
    if answer not in ("allow", "deny"):
        return _unsafe(_("oidc.error.decision"))
    acr_uris = here.provider.settings.acr_uris
    achieved = assurance.assess_sign_in(sso, acr_uris=acr_uris)
    if answer == "allow" and not interaction_policy.level_holds(interaction, achieved, acr_uris):
        # The sign-in fell below the level asked for since the page was shown (proofing reset,
        # a passkey model reported): the checks again (a step-up, or unmet_authentication_requirements).
        return redirect(_continue_path(interaction), code=303)
    client = _client(here, interaction.request.client_id)
    if client is None:  # disabled or deleted since the page: neither answer goes to it
        return _unsafe(_("oidc.error.client_gone"))
    if not _still_registered(client, interaction):
        return _unsafe(_("oidc.error.unsafe"))
    if interactions.finish(here.store, interaction.id) is None:
        return _unsafe(_("oidc.error.expired"))  # answered already (a second tab, a double click)
    if answer == "deny":
        return _request_error(here, interaction, "access_denied", "the citizen did not allow the request",
                              form_post=True).response()
    outcome = _record_decision(interaction, client, sso)
    return _code_response(here, interaction, sso, achieved, granted=outcome.granted_now, form_post=True).response()


def _record_decision(interaction: Interaction, client: Client, sso: SsoSession) -> consent_decision.Decision:
    """Apply the ticked boxes to the items the page asked about; remember the decision
    (with its signed receipt and a log entry) in one transaction."""
    areq = interaction.request
    asked = interaction_policy.asked(scopes=areq.scopes, claims=claims_module.load(areq.claims),
                                     client_scopes=areq.scopes)
    consents = get_consents(current_app)
    now = services.utc_now()
    audit.prepare()  # the receipt's log key exists before this transaction writes (SQLite: one writer)
    with get_db(current_app).transaction() as session:
        row = consent_services.current(session, citizen_id=sso.citizen_id, client_id=client.client_id,
                                       for_update=True)
        standing = consent_services.prior(row, now=now)
        if row is not None and not standing_module.for_purpose(row.purpose, client.client_metadata):
            # Given for a purpose the agency no longer declares: it answers nothing (as at
            # `_decide`, which showed the page), the answer is a decision for the new purpose.
            standing = None
        shown = consent_decision.to_ask(standing, asked, again="consent" in areq.prompt)
        outcome = consent_decision.decide(standing, asked, shown=shown, ticked=request.form.getlist("claim"))
        if shown:
            consent_services.record(session, policy=consents.policy, sign=consents.sign,
                                    citizen_id=sso.citizen_id, agency=_agency(client), decision=outcome,
                                    language=current_language(), now=now)
    return outcome
