"""/reclaim: "this is my ID and I did not enrol" (pages; the logic is in `reclaim` and
`possession`).

1. The claimant types the details printed on their ID card (and an e-mail for their new
   account). Whatever the national ID's state, the answer only says whether the details match
   the civil register, which is what this route needs: never whether the ID is enrolled.
2. They choose one of the register's contacts of record (shown masked) and get a code there.
3. Entering the code moves the national ID to a new account for them (the account that held
   it is frozen, its sessions ended, its agencies told) and signs them in to create a passkey.

The claim lives in the ephemeral store under a random id kept in a cookie for /reclaim only.
A second cookie (MARKER: only when the claim ends, no personal data) outlives it by a week, so
that a claimant who comes back after the claim expired is told so (`reclaim.error.claim_expired`)
instead of finding an empty form without a word.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from idp import audit
from idp.account import recovery_sessions
from idp.assurance import codes
from idp.assurance.possession import NoSuchChannel, TooManyAttempts, contact_for, nothing_typed, pending_code
from idp.assurance.reclaim import ReclaimRefused, end_grants_after_freeze, reclaim
from idp.citizens import scheme
from idp.citizens.enrolment import EnrolmentData, validate
from idp.citizens.errors import InvalidFields
from idp.civil_register import guesses, register
from idp.civil_register.base import MatchResult
from idp.civil_register.errors import CivilRegisterError
from idp.civil_register.services import match_typed, register_empty
from idp.consent.agency_logout import logout_agency
from idp.consent.consents import get_consents
from idp.registrar.services import Actor
from idp.sessions import end_session, ensure_may_start, sessions_for, start_session
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.cookies import delete_flow_cookie, read_flow_cookie, set_flow_cookie
from infra.web.csrf import validate_csrf
from infra.web.errors import unavailable
from infra.web.i18n import current_language
from infra.web.ratelimit import hit
from keys import get_service

log = logging.getLogger(__name__)
bp = Blueprint("reclaim", __name__)

PURPOSE = "reclaim"
COOKIE = "cedula_reclaim"
CLAIM_SECONDS = 1800
MARKER = "cedula_reclaim_opened"
MARKER_SECONDS = 7 * 86400
FIELDS = ("given_name", "family_name", "birthdate", "national_id", "email")
CODE_OUTCOMES = {"sent", "wrong", "empty", "expired", "used", "none", "no_channel"}


def _now() -> datetime:
    return datetime.now(UTC)


def _store_key(claim_id: str) -> str:
    return f"reclaim:claim:{claim_id}"


def _claim() -> tuple[str, EnrolmentData]:
    """The open claim (its id and details); without one, the request ends in a 303 to /reclaim."""
    claim_id = read_flow_cookie(COOKIE) or ""
    raw = get_store(current_app).get(_store_key(claim_id)) if 0 < len(claim_id) <= 64 else None
    if raw is None:
        abort(_no_claim())
    return claim_id, EnrolmentData.from_json(json.loads(raw))


def _keep_claim(response: BaseResponse, claim_id: str, seconds: int) -> None:
    """The claim's flow cookie for `seconds`, and the marker that it was opened (its end, as a
    Unix time) for a week longer."""
    set_flow_cookie(response, COOKIE, claim_id, max_age=seconds, path="/reclaim")
    set_flow_cookie(response, MARKER, str(int(time.time()) + seconds), max_age=seconds + MARKER_SECONDS,
                    path="/reclaim")


def _forget_claim(response: BaseResponse) -> None:
    delete_flow_cookie(response, COOKIE, path="/reclaim")
    delete_flow_cookie(response, MARKER, path="/reclaim")


def _no_claim() -> BaseResponse:
    """Back to the form: saying the claim expired when this browser opened one (said once)."""
    opened = read_flow_cookie(MARKER) is not None
    response = no_store(redirect("/reclaim?claim=expired" if opened else "/reclaim", code=303))
    if opened:
        _forget_claim(response)
    return response


def _posted_claim(limit: str) -> tuple[str, EnrolmentData]:
    """A POST about the open claim: its CSRF token, the rate limit `limit`, then the claim."""
    validate_csrf()
    hit(limit)
    return _claim()


def _register_match(data: EnrolmentData, *, typed: bool = False) -> MatchResult | None:
    """The register's match, with its contacts of record, when the typed details match it;
    CivilRegisterError if it cannot answer; None when no register is configured or the details
    do not match. `typed`: details just typed (not an open claim's), counted against the
    national ID first (`guesses.admit`: TooManyDetails past the day's limit)."""
    result = match_typed(current_app, data, counted=typed)
    return result if result is not None and result.matched else None


def _form(*, values: dict[str, str], errors: dict[str, str] | None = None,
          failed: str | None = None, status: int = 200, expired: bool = False,
          not_loaded: bool | None = None) -> Response:
    """The claim's form; instead of it, when the imported register was never loaded
    (`not_loaded`, asked when None), that the register cannot be checked yet."""
    if not_loaded is None:
        not_loaded = register_empty(current_app)
    return no_store(Response(render_template(
        "assurance/reclaim.html", values=values, errors=errors or {}, failed=failed, expired=expired,
        scheme=scheme(current_app), available=register(current_app) is not None, not_loaded=not_loaded),
        status=status))


def _not_loaded(values: dict[str, str]) -> Response:
    """503 + Retry-After: the imported register was never loaded (`register_empty`), so its "not
    found" says nothing about the claimant, who is not told their details do not match; nothing
    is counted against their limits (the register is not asked)."""
    count("reclaim", "register_empty")
    log.warning("reclaim refused: the imported civil register is empty")
    response = _form(values=values, status=503, not_loaded=True)
    response.headers["Retry-After"] = "60"
    return response


@bp.get("/reclaim")
def start() -> ResponseReturnValue:
    return _form(values={}, expired=request.args.get("claim") == "expired")


@bp.post("/reclaim")
def claim() -> ResponseReturnValue:
    """Check the typed details against the civil register; on a match, open a claim. From the
    enrolment page ("Recover my identity number", `from=enrol`), only the form, holding what
    was typed there (WCAG 2.2, 3.3.7): nothing is checked until the citizen sends it."""
    validate_csrf()
    values = {name: str(request.form.get(name, ""))[:300] for name in FIELDS}
    if request.form.get("from") == "enrol":
        return _form(values=values)
    if register_empty(current_app):  # before any limit counts the attempt
        return _not_loaded(values)
    hit("reclaim")
    settings = get_settings()
    try:
        data = validate(values, scheme=scheme(current_app),
                        minimum_age=int(settings["enrolment"]["minimum_age"]),
                        today=_now().date())
    except InvalidFields as exc:
        return _form(values=values, errors=exc.errors, status=400)
    hit("reclaim-id", key=f"{data.national_id_scheme}:{data.national_id}")
    try:
        matched = _register_match(data, typed=True)
    except guesses.TooManyDetails as exc:  # someone is trying dates of birth for this ID
        count("reclaim", "too_many_details")
        log.warning("reclaim refused: too many different details for one national ID")
        refused = _form(values=values, failed="too_many_details", status=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except CivilRegisterError:
        count("reclaim", "registry_unavailable")
        return unavailable(60, message="reclaim.error.registry_unavailable")
    if matched is None:
        count("reclaim", "no_match")
        return _form(values=values, failed="no_match", status=400)
    claim_id = secrets.token_urlsafe(24)
    get_store(current_app).set(_store_key(claim_id), json.dumps(data.to_json()).encode(),
                               CLAIM_SECONDS)
    count("reclaim", "claim")
    response = redirect("/reclaim/code", code=303)
    _keep_claim(response, claim_id, CLAIM_SECONDS)
    return no_store(response)


def _code_page(claim_id: str, data: EnrolmentData, *, status: int = 200,
               notice: str | None = None, retry_after: int | None = None) -> ResponseReturnValue:
    try:
        matched = _register_match(data)
    except CivilRegisterError:
        return unavailable(60, message="reclaim.error.registry_unavailable")
    with get_db(current_app).read() as db:
        pending = pending_code(db, purpose=PURPOSE, claimant=claim_id, now=_now())
    response = no_store(Response(render_template(
        "assurance/reclaim_code.html",
        **codes.page_values(contacts=matched.contacts if matched else (), pending=pending,
                            outcome=request.args.get("code"), outcomes=CODE_OUTCOMES,
                            notice=notice, retry_after=retry_after)), status=status))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.get("/reclaim/code")
def code_page() -> ResponseReturnValue:
    return _code_page(*_claim())


@bp.post("/reclaim/code")
def request_code() -> ResponseReturnValue:
    """Send a code to the register contact the claimant chose."""
    claim_id, data = _posted_claim("reclaim-code")
    try:
        matched = _register_match(data)
    except CivilRegisterError:
        return unavailable(60, message="reclaim.error.registry_unavailable")
    if matched is None:
        return redirect("/reclaim", code=303)
    try:
        with get_db(current_app).transaction() as db:
            issued = codes.issue(db, purpose=PURPOSE, claimant=claim_id, holder=data,
                                 contact=contact_for(matched.contacts, request.form.get("channel", "")),
                                 source=matched.source, now=_now())
    except NoSuchChannel:
        return redirect("/reclaim/code?code=no_channel", code=303)
    except TooManyAttempts as exc:
        count("reclaim.code", "too_many")
        return _code_page(claim_id, data, status=429, notice="too_many", retry_after=exc.retry_after)
    response = codes.deliver(issued, purpose=PURPOSE, metric="reclaim.code", page=partial(_code_page, claim_id, data),
                             sent="/reclaim/code?code=sent#code-entry")
    return _kept_while_code_valid(response, claim_id, issued.expires_at)


def _kept_while_code_valid(response: ResponseReturnValue, claim_id: str, expires_at: datetime) -> ResponseReturnValue:
    """The claim (store and flow cookie) lasts as long as the code just sent can be entered: a
    letter's code is valid for days (`postal_code_seconds`), the claim alone for CLAIM_SECONDS,
    and a code is entered only into the claim it was sent for. Never shortened (a letter's code
    stays valid when an e-mailed one is asked for after it)."""
    seconds = int(expires_at.timestamp() - time.time()) + 60
    if seconds <= CLAIM_SECONDS:
        return response
    get_store(current_app).expire(_store_key(claim_id), seconds)
    if isinstance(response, BaseResponse):
        _keep_claim(response, claim_id, seconds)
    return response


def after_freeze(frozen_id: str | None, agencies: tuple[str, ...]) -> None:
    """Tell every agency and end every session of the frozen account (after the commit), then
    revoke what an agency got in those sessions since the commit (`end_grants_after_freeze`: a
    refresh token outlives its session)."""
    if frozen_id is None:
        return
    for client_id in agencies:
        logout_agency(client_id=client_id, citizen_id=frozen_id, reason="identity_reclaimed")
    for sso in sessions_for(frozen_id):
        end_session(sid=sso.sid, reason="identity_reclaimed")
    with get_db(current_app).transaction() as db:
        late = end_grants_after_freeze(db, frozen_id=uuid.UUID(frozen_id), grants=get_consents().grants, now=_now())
    if late:
        log.warning("grants made during a reclaim revoked", extra={"citizen_id": frozen_id, "grants": late})


@bp.post("/reclaim/verify")
def enter_code() -> ResponseReturnValue:
    """The code proves possession: the national ID moves to a new account for the claimant."""
    claim_id, data = _posted_claim("reclaim-verify")
    if nothing_typed(request.form.get("code", "")):  # asked again, no attempt counted
        return redirect("/reclaim/code?code=empty#form-error", code=303)
    consents = get_consents()
    now = _now()
    audit.prepare()  # the log's key exists before the transaction that may freeze an account
    try:
        with get_db(current_app).transaction() as db:
            check = codes.verify(db, purpose=PURPOSE, claimant=claim_id, holder=data,
                                 entered=request.form.get("code", ""), now=now)
            done, opened_by = None, None
            if check.accepted is not None:
                done = reclaim(db, data=data, method="register_channel", source=check.accepted.source,
                               detail=f"{check.accepted.channel} {check.accepted.address_hint}",
                               actor=Actor(name="citizen:reclaim"), policy=consents.policy,
                               sign=consents.sign, grants=consents.grants,
                               key_service=get_service(current_app),
                               key=get_secrets(current_app).key("reclaim"),
                               language=current_language(), now=now)
                # Not over another citizen's session (idp.sessions: 409): nothing moves.
                ensure_may_start(done.citizen_id)
                # What the claimant's recovery session is opened under (a desk recovery or
                # a later reclaim of this new account supersedes it).
                opened_by = recovery_sessions.generation(db, uuid.UUID(done.citizen_id))
    except TooManyAttempts as exc:
        count("reclaim.verify", "too_many")
        return _code_page(claim_id, data, status=429, notice="too_many", retry_after=exc.retry_after)
    except ReclaimRefused as exc:
        count("reclaim.verify", exc.reason)
        log.warning("reclaim refused", extra={"reason": exc.reason})
        return no_store(Response(render_template("assurance/reclaim_refused.html"), status=409))
    if done is None:
        reason = check.refused.reason if check.refused else "wrong"
        count("reclaim.verify", reason)
        return redirect(f"/reclaim/code?code={reason}#form-error", code=303)
    after_freeze(done.frozen_id, done.agencies)
    get_store(current_app).delete(_store_key(claim_id))
    count("reclaim.verify", "reclaimed" if done.frozen_id else "enrolled")
    log.info("national ID reclaimed", extra={"citizen_id": done.citizen_id,
                                             "frozen": done.frozen_id, "at": time.time()})
    minutes = max(1, int(get_settings()["recovery"]["session_seconds"]) // 60)
    response = no_store(Response(render_template("assurance/reclaim_done.html",
                                                 frozen=done.frozen_id is not None, minutes=minutes)))
    _forget_claim(response)
    # The claimant is signed in only to create a passkey (a recovery session).
    start_session(response, citizen_id=done.citizen_id, amr=("otp",), recovery=True, opened_by=opened_by)
    return response


__all__ = ["after_freeze", "bp"]
