"""The citizen's pages: enrol, sign in, account (passkeys), recovery codes, recover, sign out."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from idp.account import (
    forms,
    passkey_devices,
    reauth,
    recovered_wallet,
    recovery_sessions,
    security_notices,
    sign_ins,
)
from idp.account.confirmation import Confirmation, Page, confirmation_page, see_other
from idp.account.settings import account_settings
from idp.assurance.lowered_grants import revoke_grants_above
from idp.assurance.services import reported, reset_proofing
from idp.citizens import recovery, scheme, services
from idp.citizens.enrolment import validate
from idp.citizens.errors import InvalidFields, LastPasskey, PasskeyNotFound, RecoveryFailed
from idp.citizens.models import Passkey
from idp.citizens.national_id import InvalidNationalId
from idp.logout.end_session import signed_out_redirect
from idp.oidc.agency import agency_of_next
from idp.sessions import (
    SsoSession,
    current_session,
    end_session,
    ensure_may_start,
    reauthenticate,
    require_citizen,
    sessions_for,
    start_session,
)
from idp.wallet.credential import revoke_made_with
from idp.webauthn import ceremonies, relying_party
from idp.webauthn.aaguid import model_name
from idp.webauthn.encoding import b64url, passkey_mark
from idp.webauthn.errors import CloneSuspected, WebAuthnError
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.store import get_store
from infra.utc import as_utc
from infra.web.caching import no_store
from infra.web.csrf import validate_csrf
from infra.web.errors import ApiError
from infra.web.i18n import gettext as _
from infra.web.i18n import safe_next
from infra.web.jsonapi import json_body
from infra.web.ratelimit import hit

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__)

# A refused name is shown back as typed, up to this many characters (the field takes 64).
PASSKEY_FIELD_MAX = 256
NOTICES = {"renamed", "deleted", "added", "trusted"}
ERRORS = {"last_passkey", "invalid_name", "not_found", "recovery_first"}


def _now() -> datetime:
    return datetime.now(UTC)


def _secret() -> bytes:
    return get_secrets().key("recovery")


@bp.route("/enrol", methods=["GET", "POST"])
def enrol() -> ResponseReturnValue:
    """The enrolment form. With JavaScript it runs the passkey ceremony through the JSON API;
    without, a POST is checked here and the page explains that a passkey needs JavaScript."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error = None
    status = 200
    if request.method == "POST":
        validate_csrf()
        values = forms.enrolment_fields(request.form)
        try:
            validate(values, scheme=scheme(current_app),
                     minimum_age=int(get_settings()["enrolment"]["minimum_age"]),
                     today=_now().date())
            form_error = "enrol.needs_javascript"
        except InvalidFields as exc:
            errors = exc.errors
            form_error = "enrol.error.summary"
        status = 400
    return render_template("account/enrol.html", values=values, errors=errors,
                           form_error=form_error, scheme=scheme(current_app),
                           next=safe_next(request.args.get("next"), "")), status


@bp.get("/login")
def login() -> ResponseReturnValue:
    """Sign in. `reauth=1` (prompt=login, max_age) asks a signed-in citizen to prove it again:
    the same citizen keeps the session (and the agencies theirs); another one replaces it."""
    target = safe_next(request.args.get("next"), "/account")
    signed_in = current_session() is not None
    reauth = signed_in and request.args.get("reauth") == "1"
    if signed_in and not reauth:
        return redirect(target, code=303)
    return render_template("account/login.html", next=target, reauth=reauth, agency=agency_of_next(target))


def _passkey_view(passkey: Passkey) -> dict[str, object]:
    """A passkey as the account page shows it: the citizen's own name for it, the model named
    from its AAGUID (None: the device did not say), where it was created and last used, and whether
    the FIDO metadata now reports its model compromised (it gives level low at most: the page
    says so and what to do)."""
    return {
        "credential_id": b64url(passkey.credential_id),
        "name": passkey.name,
        "created": as_utc(passkey.created_at),
        "last_used": as_utc(passkey.last_used_at),
        "synced": passkey.backup_eligible,
        "model": model_name(passkey.aaguid),
        "created_device": passkey_devices.parse(passkey.created_device),
        "last_used_device": passkey_devices.parse(passkey.last_used_device),
        "suspect": passkey.suspect_since is not None,
        "reported": reported(passkey.aaguid) is not None,
    }


def _signed_out_citizen() -> BaseResponse:
    gone = redirect("/login", code=303)
    end_session(gone)
    return gone


@bp.get("/account")
def overview() -> ResponseReturnValue:
    """Sign-in and security: passkeys, recovery codes, recent sign-ins, sessions."""
    error = request.args.get("error")
    return _overview(notice=request.args.get("done"), error=error,
                     error_passkey=request.args.get("passkey") if error == "invalid_name" else None)


def _overview(*, notice: str | None, error: str | None, error_passkey: str | None = None,
              typed_name: str | None = None, status: int = 200) -> ResponseReturnValue:
    """The security page; `typed_name`: the refused name typed in `error_passkey`'s field, shown
    there again (the page answers the refused form itself: the name stays out of any URL)."""
    session = require_citizen(allow_recovery=True)
    with get_db(current_app).read() as db:
        citizen = services.get_citizen(db, session.citizen_id)
        if citizen is None:
            return _signed_out_citizen()
        passkeys = [_passkey_view(p) for p in services.passkeys_of(db, citizen.id)]
        codes = recovery.codes_left(db, citizen.id)
        history = [] if session.recovery else sign_ins.recent(db, citizen.id)
    sessions_count = 0 if session.recovery else len(sessions_for(session.citizen_id))
    # For the WebAuthn Signal API on the page (js/account.js): the passkeys the account still
    # holds, so a device drops the ones deleted here or elsewhere.
    page = render_template("account/overview.html", citizen=citizen, passkeys=passkeys,
                           rp_id=relying_party().id, user_id=b64url(citizen.user_handle),
                           session=session, codes_left=codes, scheme=scheme(current_app),
                           history=history, sessions_count=sessions_count,
                           notice=notice if notice in NOTICES else None,
                           error=error if error in ERRORS else None,
                           error_passkey=error_passkey, typed_name=typed_name)
    return page, status


@bp.get("/account/details")
def details() -> ResponseReturnValue:
    """Personal data: what Cédula holds about the citizen (from enrolment and proofing)."""
    session = require_citizen()
    with get_db(current_app).read() as db:
        citizen = services.get_citizen(db, session.citizen_id)
        if citizen is None:
            return _signed_out_citizen()
    return render_template("account/details.html", citizen=citizen, scheme=scheme(current_app),
                           enrolled=as_utc(citizen.created_at))


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
def recovery_codes() -> ResponseReturnValue:
    """Recovery codes, shown once: right after enrolment, or when the citizen asks for new ones."""
    store = get_store(current_app)
    # Enrolment started from an agency's sign-in goes back there after the codes.
    next_page = safe_next(request.args.get("next"), "/account")
    if request.method == "POST":
        validate_csrf()
        session = require_citizen()
        if not reauth.fresh_with_passkey(session):  # not a wallet session: it holds no passkey
            return reauth.recheck_form(action="recovery_codes", back="/account/recovery-codes")
        fresh = True
    else:
        session = require_citizen(allow_recovery=True)
        fresh = not session.recovery and recovery.take_pending(store, session.sid)
    citizen_id = uuid.UUID(session.citizen_id)
    if fresh:
        with get_db(current_app).transaction() as db:
            codes = recovery.issue_codes(
                db, citizen_id=citizen_id, key=_secret(),
                count=account_settings().recovery_codes, now=_now())
            if request.method == "POST":  # not the enrolment's first codes: the owner's stop working
                security_notices.tell(db, citizen_id, event="recovery_codes")  # queued with the change
        if request.method == "POST":
            if reauth.check_ended(session):
                return _undo_codes(session, citizen_id, codes)
            _end_recovery_sessions(session.citizen_id)
        count("recovery.codes", "issued")
        log.info("recovery codes issued", extra={"citizen_id": session.citizen_id})
        return render_template("account/recovery_codes.html", codes=codes, codes_left=len(codes),
                               session=session, next=next_page)
    with get_db(current_app).read() as db:
        left = recovery.codes_left(db, citizen_id)
    return render_template("account/recovery_codes.html", codes=None, codes_left=left,
                           session=session, next=next_page)


def _undo_codes(session: SsoSession, citizen_id: uuid.UUID, codes: list[str]) -> BaseResponse:
    """New codes made with a check whose passkey ended meanwhile (`reauth.check_ended`): whoever held
    it would take them away, and with one a recovery session on the account a desk had just
    handed to the document's holder. Deleted, never shown; the session ends (to /login)."""
    import sqlalchemy as sa

    from idp.citizens.models import RecoveryCode

    made = [recovery.code_hash(_secret(), citizen_id, code) for code in codes]
    with get_db(current_app).transaction() as db:
        db.execute(sa.delete(RecoveryCode).where(RecoveryCode.citizen_id == citizen_id,
                                                 RecoveryCode.code_hash.in_(made)))
    count("recovery.codes", "passkey_ended")
    log.warning("recovery codes made with a passkey check since ended: deleted",
                extra={"citizen_id": str(citizen_id)})
    response = redirect("/login", code=303)
    end_session(sid=session.sid, reason="passkey_ended")
    return response


def _end_recovery_sessions(citizen_id: str) -> None:
    """New codes end the recovery sessions opened with the old ones (after the commit): the
    citizen makes them because a code was used or seen by someone else, whose recovery session
    could otherwise still add their passkey (and so keep the account) until it ran out."""
    for sso in sessions_for(citizen_id):
        if sso.recovery:
            end_session(sid=sso.sid, reason="recovery_codes_replaced")


def _owned_action(credential: str, action: Callable[[Session, uuid.UUID, bytes], str], *,
                  recheck: str | None = None, by_another: bool = False) -> BaseResponse:
    """`recheck`: the action is sensitive (reauth.ACTIONS) and needs a fresh passkey check;
    `by_another`: made with another passkey than `credential` (the passkey acted on)."""
    session = require_citizen()
    validate_csrf()
    raw = forms.credential_id(credential)
    checked_with = forms.credential_id(session.credential_id) if session.credential_id else None
    if recheck is not None and (not reauth.fresh(session)
                                or (by_another and raw is not None and checked_with == raw)):
        return reauth.recheck_form(action=recheck)
    if raw is None:
        return redirect("/account?error=not_found", code=303)
    try:
        with get_db(current_app).transaction() as db:
            done = action(db, uuid.UUID(session.citizen_id), raw)
    except PasskeyNotFound:
        return redirect("/account?error=not_found", code=303)
    except LastPasskey:
        return redirect("/account?error=last_passkey", code=303)
    if done in ERRORS:  # which passkey: the page marks that passkey's field, with what was typed
        response = make_response(_overview(notice=None, error=done, error_passkey=credential,
                                           typed_name=request.form.get("name", "")[:PASSKEY_FIELD_MAX],
                                           status=400))
        return no_store(response)
    return redirect(f"/account?done={done}", code=303)


@bp.post("/account/passkeys/<credential>/rename")
def rename_passkey(credential: str) -> BaseResponse:
    name = forms.passkey_name(request.form)

    def rename(db: Session, citizen_id: uuid.UUID, raw: bytes) -> str:
        if name is None:
            return "invalid_name"
        services.rename_passkey(db, citizen_id=citizen_id, credential_id=raw, name=name)
        return "renamed"

    return _owned_action(credential, rename)


@bp.post("/account/passkeys/<credential>/trust")
def trust_passkey(credential: str) -> BaseResponse:
    """A passkey blocked as looking copied (its counter went back) is the citizen's after all:
    accepted again, after a fresh check with another passkey (this one is refused)."""

    def trust(db: Session, citizen_id: uuid.UUID, raw: bytes) -> str:
        passkey = services.trust_passkey(db, citizen_id=citizen_id, credential_id=raw)
        # The owner hears of it: whoever holds the copy (and another passkey of the account)
        # would otherwise make the blocked passkey work again without a word.
        security_notices.tell(db, citizen_id, event="passkey_trusted", passkey=passkey.name)
        log.info("suspect passkey trusted again", extra={"citizen_id": str(citizen_id)})
        return "trusted"

    # Checked with another passkey: the blocked one may be the clone's (a session of it that
    # started while the clone signal was recorded outlives the sessions ended then).
    return _owned_action(credential, trust, recheck="trust_passkey", by_another=True)


@bp.get("/account/passkeys/<credential>/delete")
def confirm_delete_passkey(credential: str) -> Page:
    """Are you sure? What deleting this passkey does, and renaming as the other way."""
    session = require_citizen()
    raw = forms.credential_id(credential)
    if raw is None:
        return see_other("/account?error=not_found")
    with get_db(current_app).read() as db:
        owned = services.passkeys_of(db, uuid.UUID(session.citizen_id))
    passkey = next((p for p in owned if p.credential_id == raw), None)
    if passkey is None:
        return see_other("/account?error=not_found")
    if len(owned) < 2:
        return see_other("/account?error=last_passkey")
    model = model_name(passkey.aaguid)  # None: the device did not say (an all-zero AAGUID)
    return confirmation_page(Confirmation(
        group="security", title=_("account.confirm.passkey.title", name=passkey.name),
        lead=_("account.confirm.passkey.lead", name=passkey.name, model=model) if model
        else _("account.confirm.passkey.lead_no_model", name=passkey.name),
        effects=(_("account.confirm.passkey.effect_sign_in"),
                 _("account.confirm.passkey.effect_device"),
                 _("account.confirm.passkey.effect_others", count=len(owned) - 1)),
        instead=_("account.confirm.passkey.instead"),
        action=f"/account/passkeys/{credential}/delete",
        button=_("account.confirm.passkey.button"), back="/account"))


@bp.post("/account/passkeys/<credential>/delete")
def delete_passkey(credential: str) -> BaseResponse:
    deleted: list[tuple[uuid.UUID, bytes]] = []

    def delete(db: Session, citizen_id: uuid.UUID, raw: bytes) -> str:
        services.delete_passkey(db, citizen_id=citizen_id, credential_id=raw)
        _revoke_grants_of_passkey(db, str(citizen_id), b64url(raw))
        # What a wallet took with it: the lost phone's holder's wallet, bound to their key.
        revoke_made_with(db, passkeys=[b64url(raw)], now=_now())
        security_notices.tell(db, citizen_id, event="passkey_deleted")  # queued with the change
        log.info("passkey deleted", extra={"citizen_id": str(citizen_id)})
        deleted.append((citizen_id, raw))
        return "deleted"

    response = _owned_action(credential, delete, recheck="delete_passkey")
    for citizen_id, raw in deleted:  # committed: end what the passkey opened
        _end_sessions_of_passkey(str(citizen_id), b64url(raw))
    return response


def _other_sessions_of_passkey(citizen_id: str, credential_id: str) -> list[SsoSession]:
    """The citizen's sessions last checked with this passkey, but this browser's."""
    current = current_session()
    return [sso for sso in sessions_for(citizen_id)
            if sso.credential_id == credential_id and (current is None or sso.sid != current.sid)]


def _revoke_grants_of_passkey(db: Session, citizen_id: str, credential_id: str) -> None:
    """In the deletion's transaction: the grants agencies got with this passkey (in any
    session, ended ones too: the grant records it) or in those sessions, with their tokens
    (reason `passkey_deleted`, back-channel logout). A refresh token outlives its session: an
    agency's app on the lost device would read on after the thief signed out there. The
    consents stay, and so do the grants of this browser's session, which goes on (it passed a
    fresh check to delete the passkey)."""
    from idp.consent.consents import get_consents

    sids = {sso.sid for sso in _other_sessions_of_passkey(citizen_id, credential_id)}
    mark = passkey_mark(credential_id)
    current = current_session()
    here = current.sid if current is not None else None
    grants = get_consents().grants
    # Its reason tells a code in flight why it is refused (`idp.oidc.codes.settled`).
    for grant in grants.active(db, citizen_id=uuid.UUID(citizen_id), reason="passkey_deleted"):
        if grant.sid != here and (grant.sid in sids or grant.passkey == mark):
            grants.revoke(db, grant.id, reason="passkey_deleted", now=_now())


def _revoke_grants_above_low(db: Session, citizen_id: uuid.UUID) -> None:
    """In the recovery's transaction, once it lowered the account's proofing: the grants agencies
    hold at a level above low end (`idp.assurance.lowered_grants`, reason `recovery_code`)."""
    revoke_grants_above(db, citizen_id, level="low", reason="recovery_code")


def _end_sessions_of_passkey(citizen_id: str, credential_id: str) -> None:
    """A deleted passkey (a lost or stolen device) signs nobody in any more: the citizen's
    other sessions last checked with it end too, with back-channel logout. This browser's
    session, which just passed a fresh check to delete it, goes on."""
    for sso in _other_sessions_of_passkey(citizen_id, credential_id):
        end_session(sid=sso.sid, reason="passkey_deleted")


@bp.get("/account/reauth")
def recheck() -> str:
    """Confirm it is you: a passkey check, then back to `next` (the page that asked)."""
    require_citizen()
    return render_template("account/reauth.html", action=None, resubmit=None, fields=[],
                           next=safe_next(request.args.get("next"), "/account"),
                           minutes=reauth.minutes(), refused=reauth.current_refused())


def _signed_in_for_api() -> SsoSession:
    session = current_session()
    if session is None:
        raise ApiError(401, "login_required", _("webauthn.error.login_required"))
    return session


@bp.post("/account/reauth/options")
def recheck_options() -> Response:
    """PublicKeyCredentialRequestOptionsJSON for the signed-in citizen's passkeys only."""
    json_body(allow_empty=True)
    session = _signed_in_for_api()
    hit("webauthn-options", limit=int(get_settings()["rate_limit"]["challenges"]))
    try:
        with get_db(current_app).read() as db:
            options = ceremonies.begin_recheck(db, get_store(current_app), rp=relying_party(),
                                               citizen_id=session.citizen_id, now=time.time())
    except WebAuthnError as exc:
        raise ApiError(exc.status, exc.error, _(f"webauthn.error.{exc.error}")) from None
    return no_store(jsonify(options))


@bp.post("/account/reauth/verify")
def recheck_verify() -> Response:
    """Verify the assertion; the session is re-authenticated (new token, auth_time now)."""
    body = json_body()
    session = _signed_in_for_api()
    hit("recheck", key=session.citizen_id)
    try:
        with get_db(current_app).transaction() as db:
            result = ceremonies.finish_recheck(db, get_store(current_app), rp=relying_party(),
                                               body=body, citizen_id=session.citizen_id,
                                               now=time.time())
    except WebAuthnError as exc:
        if isinstance(exc, CloneSuspected):
            sign_ins.note_clone(exc)
        count("account.recheck", exc.error)
        log.info("passkey re-check refused", extra={"citizen_id": session.citizen_id,
                                                    "error": exc.error, "detail": str(exc)})
        raise ApiError(exc.status, exc.error, _(f"webauthn.error.{exc.error}")) from None
    response = jsonify(status="ok")
    reauthenticate(response, session=session, amr=result.amr, credential_id=result.credential_id)
    count("account.recheck", "ok")
    log.info("passkey re-check", extra={"citizen_id": session.citizen_id})
    return no_store(response)


def _note_failure(national_id: str) -> None:
    """Count wrong codes per national ID, to tell the operator, never to refuse the owner.

    A per-ID limit that refused every attempt would let a stranger lock the owner out (20 wrong
    codes from anywhere, repeated every window). It is not needed either: a code has 60 bits, so
    even a botnet that goes around the per-address limit needs ~10^17 guesses per hit on a
    citizen with ten codes. So the owner's right code always works (within their own address's
    limit), and a national ID that draws more wrong codes than `[rate_limit] attempts` in a
    window is logged once per window as a warning (`recovery.guessing`) for the operator.
    """
    settings = get_settings(current_app)["rate_limit"]
    failures = get_store(current_app).incr(f"rl:recover-failures:{national_id}",
                                           int(settings["window_seconds"]))
    if failures == int(settings["attempts"]) + 1:
        count("recovery.guessing", "national_id")
        log.warning("recovery codes are being guessed for one national ID from several addresses",
                    extra={"national_id_hash": _id_fingerprint(national_id), "failures": failures})


def _id_fingerprint(national_id: str) -> str:
    """A short keyed digest: the log names which ID without holding the ID itself."""
    return hmac.new(get_secrets().key("log-fingerprint"), national_id.encode(),
                    hashlib.sha256).hexdigest()[:16]


def _recover_form_errors(raw_id: str, code: str) -> dict[str, str]:
    """The recovery form's fields that are empty or malformed (field -> catalog key), in the
    page's order; empty when both may be checked against the records."""
    errors = {}
    if not raw_id.strip():
        errors["national_id"] = "recover.error.national_id_missing"
    else:
        try:
            scheme(current_app).normalise(raw_id)
        except InvalidNationalId as exc:
            errors["national_id"] = f"national_id.error.{exc.reason}"
    if not code.strip():
        errors["code"] = "recover.error.code_missing"
    return errors


@bp.route("/recover", methods=["GET", "POST"])
def recover() -> ResponseReturnValue:
    """Sign in once with a recovery code, only to add a new passkey."""
    from idp.consent.consents import get_consents

    if request.method == "GET":
        return render_template("account/recover.html", scheme=scheme(current_app), errors={},
                               national_id="")
    validate_csrf()
    hit("recover")  # per address: the limit a guesser meets
    raw_id = request.form.get("national_id", "")
    code = request.form.get("code", "")
    missing = _recover_form_errors(raw_id, code)
    if missing:  # what is missing or malformed is said per field: it tells nothing of any account
        return render_template("account/recover.html", scheme=scheme(current_app), errors=missing,
                               national_id=raw_id[:64], code=code[:32]), 400
    national_id = None
    try:
        national_id = scheme(current_app).normalise(raw_id)
        with get_db(current_app).transaction() as db:
            # Read before the code is spent: a desk recovery committed after it supersedes it.
            opened_by = recovery_sessions.generation_of(db, scheme=scheme(current_app).code,
                                                        national_id=national_id)
            citizen = recovery.redeem(db, scheme=scheme(current_app).code, national_id=national_id,
                                      code=code, key=_secret(), now=_now())
            citizen_id = str(citizen.id)
            # Not over another citizen's session (idp.sessions: 409): the code stays unspent.
            ensure_may_start(citizen_id)
            # The code proves its bearer holds it, not who they are: the passkey they add
            # must not inherit the identity level someone proved before (prove it again).
            lowered = reset_proofing(db, citizen_id=citizen.id, reason="recovery_code", now=_now())
            if lowered:
                _revoke_grants_above_low(db, citizen.id)
            # A PID issued before this code vouches for nobody: what the lost device's wallet opened ends.
            recovered_wallet.revoke_wallet_grants(db, get_consents().grants, citizen_id=citizen.id, now=_now())
            security_notices.tell(db, citizen.id, event="recovery_code")  # queued with the change
    except (InvalidNationalId, RecoveryFailed):
        count("recovery.sign_in", "refused")
        log.info("recovery refused")
        if national_id is not None:
            _note_failure(national_id)
        # A well-formed pair that does not match: one sentence, whichever of the two was wrong.
        # What was typed stays, the code too (WCAG 3.3.7): the citizen's own input on a no-store
        # page (infra.web.headers), refused, so it opens nothing as it stands.
        return render_template("account/recover.html", scheme=scheme(current_app),
                               errors={"national_id": "recover.error"}, national_id=raw_id[:64],
                               code=code[:32]), 400
    count("recovery.sign_in", "ok")
    if lowered:
        count("recovery.sign_in", "proofing_reset")
    recovered_wallet.end_wallet_sessions(citizen_id)
    response = redirect("/account", code=303)
    start_session(response, citizen_id=citizen_id, amr=("otp",), recovery=True, opened_by=opened_by)
    log.info("recovery session started", extra={"citizen_id": citizen_id})
    return response


@bp.post("/logout")
def logout() -> BaseResponse:
    validate_csrf()
    response = signed_out_redirect(current_session())
    end_session(response)
    return response


__all__ = ["bp"]
