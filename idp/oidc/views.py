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
from functools import partial
from urllib.parse import quote, quote_plus, urlsplit

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from clients.registry import Client, ClientNotFound
from idp import audit
from idp.citizens.models import Citizen
from idp.consent import decision as consent_decision
from idp.consent import services as consent_services
from idp.consent.consents import get_consents
from idp.oidc import (
    assurance,
    interaction_binding,
    interaction_policy,
    interactions,
    jar,
    jarm,
    par,
    parameters,
    services,
    subjects,
)
from idp.oidc import claims as claims_module
from idp.oidc import redirect_uris as redirect_uri_rules
from idp.oidc import request as request_module
from idp.oidc import standing as standing_module
from idp.oidc.agency import agency_view
from idp.oidc.current import provider
from idp.oidc.errors import AuthorizationError, InvalidRequestUri, UnsafeRedirect
from idp.oidc.funnel import DAY, funnel_counts
from idp.oidc.interactions import Interaction, InteractionGone
from idp.oidc.redirect_page import Redirect as _Redirect
from idp.oidc.redirect_page import client_uri as _client_uri
from idp.oidc.redirect_page import csp_posting_to as _csp_posting_to
from idp.oidc.redirect_page import no_store_redirect as _no_store_redirect
from idp.oidc.redirect_page import quoted as _quoted
from idp.oidc.request import AuthorizationRequest
from idp.oidc.services import Provider
from idp.sessions import SsoSession, current_session, end_session, session_from_cookies
from infra.db import get_db
from infra.group_commit import get_group_commit
from infra.ops.metrics import label_agency
from infra.store import EphemeralStore, get_store
from infra.web import direct_routes
from infra.web.csrf import validate_csrf
from infra.web.direct_routes import DirectRequest, DirectResponse
from infra.web.errors import error_page
from infra.web.i18n import current_language, use_language, use_ui_locales
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
    # When the request began (time.time()), before it read anything: the date of a code it
    # issues (`codes.settled`), so that a withdrawal that committed after a read of the decision
    # being withdrawn (its second mark) refuses the code issued from that read.
    began: float

    @classmethod
    def now(cls) -> _Here:
        began = time.time()
        built = provider()
        return cls(provider=built, store=get_store(current_app), generation=built.generation(), began=began)

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
    # Stored only if the citizen must go somewhere and come back (`_answer`), bound to this
    # browser (`interaction_binding`). Counted with the request's next step, if any: one group
    # commit per request.
    binding = interaction_binding.of_browser()
    return _proceed(here, interactions.begin(validated, browser=binding.digest), client, stored=False,
                    funnel=_ASKED, binding=binding)


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
    pushed = par.names_pushed(params.get("request_uri"))
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
        get_group_commit(current_app).count_soon(funnel_counts(client_id, steps, int(time.time() // DAY)))


@bp.get("/authorize/continue")
def resume() -> BaseResponse:
    """Where sign-in sends the citizen back to: the same authorization request."""
    here = _Here.now()
    interaction = _continued(here, request.args.get("interaction"))
    if not isinstance(interaction, Interaction):
        return interaction
    return _proceed(here, interaction, _client(here, interaction.request.client_id), stored=True)


def _continued(here: _Here, interaction_id: str | None) -> Interaction | BaseResponse:
    """The kept interaction `interaction_id` if this browser started it; otherwise the page
    that sends the citizen back to the agency to start again (gone or answered; or started in
    another browser: a leaked or planted id continues nobody's request, `interaction_binding`)."""
    interaction = interactions.load(here.store, interaction_id)
    if interaction is None:
        return _unsafe(_("oidc.error.expired"))
    if not interaction_binding.holds(interaction):
        log.warning("interaction continued from another browser", extra={
            "client_id": interaction.request.client_id})
        return _unsafe(_("oidc.error.other_browser"))
    use_ui_locales(interaction.request.ui_locales)
    return interaction


def _client(here: _Here, client_id: str) -> Client | None:
    try:
        with get_db(current_app).lazy_read() as session:
            return here.client(session, client_id)
    except ClientNotFound:
        return None


def _proceed(here: _Here, interaction: Interaction, client: Client | None, *, stored: bool,
             form_post: bool = False, funnel: tuple[str, ...] = (),
             binding: interaction_binding.Binding | None = None) -> BaseResponse:
    """OIDC Core 3.1.2.3-3.1.2.5: gather the facts, let the interaction policy decide, answer.
    `client`: the enabled client of the request, None when it is gone; `stored`: whether the
    interaction is in the store (it is taken when answered); `binding`: the browser's binding,
    sent with the answer that keeps a new interaction (a request answered at once sets no cookie,
    as the direct route)."""
    if client is None:
        _funnel(interaction.request.client_id, *funnel)
        return _unsafe(_("oidc.error.client_gone"))
    if stored and not _still_registered(client, interaction):
        return _unsafe(_("oidc.error.unsafe"))
    sso = current_session()
    outcome = _decide(here, interaction, client, sso)
    try:
        response = _answer(here, interaction, client, sso, outcome, stored=stored, form_post=form_post,
                           funnel=funnel)
    except InteractionGone:
        return _unsafe(_("oidc.error.expired"))  # answered meanwhile (a second tab, a double submit)
    if binding is not None and not isinstance(outcome, interaction_policy.Issue | interaction_policy.Refuse):
        binding.keep(response)
    return response


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
            interaction = interactions.update(store, interaction, ttl=here.ttl, shown_to=sso.sid,
                                              shown_language=current_language())
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
                               sign_in=sign_in, granted=granted, now=here.began)
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


def _posted_interaction(here: _Here) -> Interaction | BaseResponse:
    validate_csrf()
    return _continued(here, request.form.get("interaction"))


@bp.post("/authorize/account")
def choose_account() -> BaseResponse:
    """prompt=select_account: continue as the signed-in citizen, or sign in as someone else."""
    here = _Here.now()
    interaction = _posted_interaction(here)
    if not isinstance(interaction, Interaction):
        return interaction
    try:
        # Compare-and-set: an interaction answered since it was read (a double submit whose
        # first request issued the code) is not brought back to be answered twice.
        interaction = interactions.update(here.store, interaction, ttl=here.ttl, account_chosen=True)
    except InteractionGone:
        return _unsafe(_("oidc.error.expired"))
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
    if not isinstance(interaction, Interaction):
        return interaction
    if interaction.shown_language is not None:
        # What the page said, in the language it said it (the cookie may have changed since:
        # another window sent the browser to /language/<lang>).
        use_language(interaction.shown_language)
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
