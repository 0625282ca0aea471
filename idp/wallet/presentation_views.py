"""Browser-bound OpenID4VP flows for people without a passkey here yet or signing in: enrolment
without a registrar (/enrol/wallet) and signing in with a wallet (/login/wallet). Routes on the
wallet blueprint (idp.wallet.views); the presentation response itself arrives there."""

from __future__ import annotations

import logging

from flask import Response, current_app, render_template, request

from idp.sessions import require_citizen
from idp.wallet import handover, vp_request
from idp.wallet.handover_pages import handed_over
from idp.wallet.service import get_wallet
from idp.wallet.views import _now, _page, _qr_svg, bp
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.cookies import delete_flow_cookie, read_flow_cookie, set_flow_cookie
from infra.web.csrf import validate_csrf
from infra.web.ratelimit import hit

log = logging.getLogger(__name__)


def _browser_bound_request(purpose: str) -> tuple[str, vp_request.PresentationRequest]:
    """A presentation request owned by this browser: a binding minted for it (never the
    value the browser already holds: one planted there would let its author collect the
    result) and the request made for it."""
    from idp.wallet import enrolment

    wallet = get_wallet()
    binding = enrolment.new_binding()
    created = vp_request.create(get_store(current_app), issuer=wallet.settings.issuer,
                                purpose=purpose, citizen_id=str(enrolment.owner(binding)),
                                pid_vct=wallet.settings.pid_vct,
                                ttl=wallet.settings.presentation_seconds)
    return binding, created


def _bind_browser(response: Response, cookie: str, binding: str, *, path: str) -> None:
    set_flow_cookie(response, cookie, binding, max_age=get_wallet().settings.presentation_seconds * 2,
                    path=path)


# enrolment without a registrar ---------------------------------------------------------


@bp.route("/enrol/wallet", methods=["GET", "POST"])
def enrol_with_wallet() -> Response:
    """GET: what enrolling with a wallet means; POST (CSRF): the presentation request, owned
    by this browser (an HttpOnly cookie)."""
    from idp.wallet import enrolment

    created = binding = None
    if request.method == "POST":
        validate_csrf()
        hit("wallet-enrolment", limit=20, window=3600)
        binding, created = _browser_bound_request("enrolment")
    response = _page("wallet/enrol.html", request_=created,
                     link=created.uri() if created else None,
                     qr=_qr_svg(created.uri()) if created else None)
    if created is not None and binding:
        _bind_browser(response, enrolment.COOKIE, binding, path="/enrol/wallet")
    return response


@bp.route("/enrol/wallet/done", methods=["GET", "POST"])
def enrol_with_wallet_done() -> Response:
    """The PID arrived and was handed over to this browser (`handed_over`): the enrolment
    form, filled from it (the person adds an email and creates a passkey); or why no account
    can be made from it."""
    from idp.citizens import scheme
    from idp.wallet import enrolment

    store = get_store(current_app)
    binding = read_flow_cookie(enrolment.COOKIE)
    handed = handed_over("enrolment", action="/enrol/wallet/done", owns=lambda state: enrolment.pending(
        store, state=state, binding=binding) is not None)
    if isinstance(handed, Response):
        return handed
    state = handed or ""
    found = enrolment.pending(store, state=state, binding=binding) if handed else None
    if found is None:
        return _page("wallet/enrol.html", 404, request_=None, outcome="unknown")
    status, identity = found
    if status != "ready":
        return _page("wallet/enrol.html", 409, request_=None, outcome=status)
    return no_store(Response(render_template(
        "account/enrol.html", values=enrolment.form_values(identity, scheme=scheme()), errors={},
        form_error=None, scheme=scheme(), next=f"/enrol/wallet/complete?state={state}")))


@bp.get("/enrol/wallet/complete")
def enrol_with_wallet_complete() -> Response:
    """After the passkey: the PID raises the new account's proofing to high if the details
    the person enrolled with are still the PID's. Only in a passkey session: the proofing is
    the account's, which its passkeys inherit (a wallet sign-in may be into an account whose
    passkeys are someone else's, `idp.wallet.sign_in`); not one checked with a passkey since
    marked suspect or removed (`reauth.refused_check`), as for `/account/wallet-proofing/done`."""
    from idp.account import reauth
    from idp.citizens import scheme
    from idp.wallet import enrolment, proofing
    from idp.wallet.vp_response import ProvenIdentity

    session = require_citizen()
    if session.credential_id is None or reauth.refused_check(session) is not None:
        return _page("wallet/proofing_done.html", 404, outcome=None)
    store = get_store(current_app)
    state = request.args.get("state", "")
    if not handover.confirmed(store, state=state):  # the PID was not handed over to this browser
        return _page("wallet/proofing_done.html", 404, outcome=None)
    identity = enrolment.take(store, state=state, binding=read_flow_cookie(enrolment.COOKIE))
    if identity is None:
        return _page("wallet/proofing_done.html", 404, outcome=None)
    handover.end(store, state=state)
    bound = ProvenIdentity(**{**identity.__dict__, "citizen_id": str(session.citizen_id)})
    with get_db(current_app).transaction() as db:
        outcome = proofing.apply(db, bound, country=scheme().country, scheme=scheme(), now=_now())
    count("wallet.enrolment", outcome.status)
    response = _page("wallet/proofing_done.html", outcome={
        "citizen_id": str(session.citizen_id), "status": outcome.status,
        "differences": list(outcome.differences)})
    delete_flow_cookie(response, enrolment.COOKIE, path="/enrol/wallet")
    return response


# signing in with a wallet ------------------------------------------------------------


@bp.route("/login/wallet", methods=["GET", "POST"])
def sign_in_with_wallet() -> Response:
    """GET: what signing in with a wallet means; POST (CSRF): the presentation request, owned
    by this browser (an HttpOnly cookie, as for enrolment), and where to go afterwards."""
    from idp.wallet import sign_in
    from infra.web.i18n import safe_next

    wallet = get_wallet()
    target = safe_next(request.values.get("next"), "/account")
    if not wallet.sign_in_offered():
        return _page("wallet/sign_in.html", 404, request_=None, outcome="unavailable", next=target)
    created = binding = None
    if request.method == "POST":
        validate_csrf()
        hit("wallet-sign-in", limit=20, window=3600)
        binding, created = _browser_bound_request("sign_in")
        sign_in.remember_next(get_store(current_app), state=created.state, target=target,
                              ttl=wallet.settings.presentation_seconds * 2)
    response = _page("wallet/sign_in.html", request_=created, next=target,
                     link=created.uri() if created else None,
                     qr=_qr_svg(created.uri()) if created else None)
    if created is not None and binding:
        _bind_browser(response, sign_in.COOKIE, binding, path=sign_in.COOKIE_PATH)
    return response


@bp.route("/login/wallet/done", methods=["GET", "POST"])
def sign_in_with_wallet_done() -> Response:
    """The PID arrived and was handed over to this browser (`handed_over`): sign in as the
    citizen it names (once), or say why not."""
    from idp.assurance import wallet_proofing
    from idp.citizens import scheme
    from idp.sessions import ensure_may_start, start_session
    from idp.wallet import enrolment, sign_in

    hit("wallet-sign-in-done", limit=60, window=60)
    store = get_store(current_app)
    binding = read_flow_cookie(sign_in.COOKIE)

    def owns(state: str) -> bool:
        found = enrolment.pending(store, state=state, binding=binding)
        return found is not None and found[1].purpose == "sign_in"

    handed = handed_over("sign_in", owns=owns, action="/login/wallet/done")
    if isinstance(handed, Response):
        return handed
    state = handed or ""
    identity = enrolment.take(store, state=state, binding=binding) if handed else None
    if identity is not None:
        handover.end(store, state=state)
    if identity is None or identity.purpose != "sign_in":
        count("wallet.sign_in", "unknown_request")
        return _page("wallet/sign_in.html", 404, request_=None, outcome="expired", next="/account")
    with get_db(current_app).transaction() as db:
        outcome = sign_in.decide(db, identity, scheme=scheme(), now=_now())
        if outcome.status == "signed_in" and outcome.citizen_id is not None:
            # Not over another citizen's session (idp.sessions: 409, the audit rolled back).
            ensure_may_start(outcome.citizen_id)
    count("wallet.sign_in", outcome.status)
    target = sign_in.take_next(get_store(current_app), state=state, default="/account")
    if outcome.status != "signed_in" or outcome.citizen_id is None:
        status = 404 if outcome.status == "unknown" else 403
        response = _page("wallet/sign_in.html", status, request_=None, outcome=outcome.status,
                         next=target)
    else:
        response = no_store(Response(status=303))
        response.headers["Location"] = target
        start_session(response, citizen_id=outcome.citizen_id, amr=sign_in.AMR,
                      pid=wallet_proofing.pid_facts(identity))
        log.info("signed in with a wallet", extra={"citizen_id": outcome.citizen_id})
    delete_flow_cookie(response, sign_in.COOKIE, path=sign_in.COOKIE_PATH)
    return response
