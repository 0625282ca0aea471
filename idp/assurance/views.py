"""The citizen's page about their level of assurance (/account/assurance): the routes to a
higher level, explained; the check against the civil register (evidence, still low); the
one-time code sent to a contact the register holds (substantial)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from idp.assurance import codes, services
from idp.assurance.possession import NoSuchChannel, TooManyAttempts, contact_for, nothing_typed, pending_code
from idp.citizens.models import Citizen
from idp.citizens.services import get_citizen, passkeys_of
from idp.civil_register import register
from idp.civil_register.base import MatchResult
from idp.civil_register.errors import CivilRegisterError
from idp.civil_register.services import check_citizen, register_empty
from idp.sessions import require_citizen
from infra.db import get_db
from infra.ops.metrics import count
from infra.web.csrf import validate_csrf
from infra.web.ratelimit import hit

log = logging.getLogger(__name__)
bp = Blueprint("assurance", __name__)
REGISTER_OUTCOMES = {"match", "not_found", "mismatch", "unavailable"}
CODE_OUTCOMES = {"sent", "verified", "wrong", "empty", "expired", "used", "none", "no_channel"}
PURPOSE = "proofing"


def _now() -> datetime:
    return datetime.now(UTC)


def _register_match(db: Session, citizen_id: uuid.UUID) -> tuple[MatchResult | None, bool]:
    """(the register's match, with its contacts of record, when the citizen's details match;
    register down)."""
    found = register(current_app)
    if found is None:
        return None, False
    try:
        result = check_citizen(db, found, citizen_id=citizen_id)
        services.apply_register_match(db, citizen_id=citizen_id, result=result, now=_now())
    except CivilRegisterError:
        return None, True
    return (result if result.matched else None), False


def _citizen(db: Session, citizen_id: uuid.UUID) -> Citizen:
    """The signed-in citizen's row; if the account is gone, the request ends in a 303 to /login."""
    citizen = get_citizen(db, citizen_id)
    if citizen is None:
        abort(redirect("/login", code=303))
    return citizen


def _page(citizen_id: uuid.UUID, *, status: int = 200, notice: str | None = None,
          retry_after: int | None = None) -> ResponseReturnValue:
    session = require_citizen()
    with get_db(current_app).transaction() as db:
        _citizen(db, citizen_id)
        proofing, method = services.proofing_of(db, citizen_id)
        levels = services.passkey_levels(db, citizen_id)
        passkeys = [{"name": p.name, "level": levels.get(p.id, ("substantial", False))[0],
                     "synced": p.backup_eligible, "reported": services.reported(p.aaguid) is not None}
                    for p in passkeys_of(db, citizen_id)]
        current = services.assess(db, citizen_id=session.citizen_id,
                                  credential_id=session.credential_id, amr=session.amr, pid=session.pid)
        evidence = services.evidence_of(db, citizen_id)
        matched, unavailable = (None, False)
        if proofing == "low" and method == "register_match":
            matched, unavailable = _register_match(db, citizen_id)
        pending = pending_code(db, purpose=PURPOSE, claimant=str(citizen_id), now=_now()) \
            if proofing == "low" else None
    register_outcome = request.args.get("register")
    not_loaded = proofing == "low" and register_empty(current_app)
    body = render_template(
        "assurance/account.html", proofing=proofing, method=method, passkeys=passkeys,
        current=current, evidence=evidence,
        can_check=register(current_app) is not None and proofing == "low"
        and method == "self_asserted",
        register_unavailable=unavailable, register_not_loaded=not_loaded,
        outcome=register_outcome if register_outcome in REGISTER_OUTCOMES else None,
        **codes.page_values(contacts=matched.contacts if matched else (), pending=pending,
                            outcome=request.args.get("code"), outcomes=CODE_OUTCOMES,
                            notice=notice, retry_after=retry_after))
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return body, status, headers


def _citizen_post(limit: str, *, passkey: bool = False, asks_register: bool = False) -> uuid.UUID:
    """A POST of the signed-in citizen: its CSRF token, then the rate limit `limit` for them.
    `asks_register`: the action asks the civil register; when it is the imported one and was
    never loaded (`register_empty`: its "not found" says nothing about the citizen), the page
    says so (503 + Retry-After) before anything is counted against the citizen's limits.
    `passkey`: the action raises the account's proofing, which every passkey of the account
    inherits, so the session must have been checked with one of them. A wallet session (its
    PID matched the record, which someone else may have enrolled with their own passkey) is
    sent to the passkey re-check first, as for /account/wallet-proofing; so is a session checked
    with a passkey since marked suspect or removed (`reauth.refused_check`)."""
    from idp.account import reauth

    validate_csrf()
    session = require_citizen()
    if asks_register and register_empty(current_app):
        count("registry.check", "register_empty")
        log.warning("register check refused: the imported civil register is empty")
        abort(make_response(_page(uuid.UUID(session.citizen_id), status=503, retry_after=60)))
    if passkey and (session.credential_id is None or reauth.refused_check(session) is not None):
        with get_db(current_app).read() as db:
            _citizen(db, uuid.UUID(session.citizen_id))  # an account gone: /login, not a re-check
        count("possession.code", "passkey_session_needed")
        abort(reauth.recheck_redirect("/account/assurance"))
    hit(limit, key=session.citizen_id)
    return uuid.UUID(session.citizen_id)


@bp.get("/account/assurance")
def overview() -> ResponseReturnValue:
    session = require_citizen()
    return _page(uuid.UUID(session.citizen_id))


@bp.post("/account/assurance/register-check")
def register_check() -> ResponseReturnValue:
    """The citizen asks to be matched against the civil register (evidence; still low)."""
    citizen_id = _citizen_post("register-check", asks_register=True)
    found = register(current_app)
    if found is None:
        return redirect("/account/assurance", code=303)
    try:
        with get_db(current_app).transaction() as db:
            result = check_citizen(db, found, citizen_id=citizen_id)
            services.apply_register_match(db, citizen_id=citizen_id, result=result, now=_now())
        outcome: str = result.outcome
    except CivilRegisterError:
        outcome = "unavailable"
    count("registry.check", outcome)
    return redirect(f"/account/assurance?register={outcome}", code=303)


@bp.post("/account/assurance/code")
def request_code() -> ResponseReturnValue:
    """Send a one-time code to the register's contact of record the citizen chose."""
    citizen_id = _citizen_post("possession-code", passkey=True, asks_register=True)
    channel = request.form.get("channel", "")
    now = _now()
    try:
        with get_db(current_app).transaction() as db:
            citizen = _citizen(db, citizen_id)
            matched, unavailable = _register_match(db, citizen_id)
            if unavailable:
                return redirect("/account/assurance?register=unavailable", code=303)
            if matched is None:
                return redirect("/account/assurance?register=mismatch", code=303)
            issued = codes.issue(db, purpose=PURPOSE, claimant=str(citizen_id), holder=citizen,
                                 contact=contact_for(matched.contacts, channel), source=matched.source,
                                 now=now)
    except NoSuchChannel:
        return redirect("/account/assurance?code=no_channel", code=303)
    except TooManyAttempts as exc:
        count("possession.code", "too_many")
        return _page(citizen_id, status=429, notice="too_many", retry_after=exc.retry_after)
    return codes.deliver(issued, purpose=PURPOSE, metric="possession.code", page=partial(_page, citizen_id),
                         sent="/account/assurance?code=sent#code-entry",
                         log_extra={"citizen_id": str(citizen_id)})


@bp.post("/account/assurance/code/verify")
def enter_code() -> ResponseReturnValue:
    """The citizen types the code back: proof of possession, identity proofing substantial."""
    citizen_id = _citizen_post("possession-verify", passkey=True)
    if nothing_typed(request.form.get("code", "")):  # asked again, no attempt counted
        return redirect("/account/assurance?code=empty#form-error", code=303)
    now = _now()
    try:
        with get_db(current_app).transaction() as db:
            citizen = _citizen(db, citizen_id)
            check = codes.verify(db, purpose=PURPOSE, claimant=str(citizen_id), holder=citizen,
                                 entered=request.form.get("code", ""), now=now)
            if check.accepted is not None:
                services.raise_proofing(db, citizen_id=citizen_id, method="register_channel", now=now)
                services.record_evidence(
                    db, citizen_id=citizen_id, kind="register_channel",
                    source=check.accepted.source,
                    detail=f"{check.accepted.channel} {check.accepted.address_hint}", now=now)
    except TooManyAttempts as exc:
        count("possession.verify", "too_many")
        return _page(citizen_id, status=429, notice="too_many", retry_after=exc.retry_after)
    if check.refused is not None:
        count("possession.verify", check.refused.reason)
        return redirect(f"/account/assurance?code={check.refused.reason}#form-error", code=303)
    count("possession.verify", "verified")
    log.info("identity proofed by a register code", extra={"citizen_id": str(citizen_id)})
    return redirect("/account/assurance?code=verified", code=303)
