"""The WebAuthn JSON API: /webauthn/{registration,authentication}/{options,verify}."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from idp.account import reauth, security_notices, sign_ins
from idp.account.passkey_devices import note_created
from idp.assurance.levels import LEVELS
from idp.assurance.lowered_grants import revoke_grants_above
from idp.assurance.register_match import check_after_enrolment
from idp.assurance.services import credential_descriptors, reported_passkey, reset_proofing
from idp.citizens import scheme
from idp.citizens.errors import EnrolmentRefused, InvalidFields
from idp.citizens.recovery import mark_pending
from idp.sessions import (
    AccountMismatch,
    SsoSession,
    continues,
    current_session,
    end_session,
    ensure_may_start,
    start_session,
)
from idp.webauthn import ceremonies, relying_party
from idp.webauthn.encoding import from_b64url
from idp.webauthn.errors import CloneSuspected, WebAuthnError
from idp.webauthn.relying_party import RelyingParty
from infra.config import get_settings
from infra.db import get_db
from infra.indicators import tally_apart, tally_many
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.errors import ApiError
from infra.web.i18n import gettext as _
from infra.web.jsonapi import json_body
from infra.web.ratelimit import hit

log = logging.getLogger(__name__)
bp = Blueprint("webauthn", __name__, url_prefix="/webauthn")

ENROL_FIELDS = ("given_name", "family_name", "birthdate", "national_id", "email")


def _rp() -> RelyingParty:
    return relying_party()


def _refuse(exc: WebAuthnError, event: str) -> ApiError:
    count(event, exc.error)
    log.info("webauthn refused", extra={"event": event, "error": exc.error, "detail": str(exc)})
    return ApiError(exc.status, exc.error, _(exc.catalog_key or f"webauthn.error.{exc.error}"))


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = int(get_settings()["webauthn"]["max_body_bytes"])


@bp.post("/registration/options")
def registration_options() -> Response:
    """Enrolment (body: the enrolment fields) or another passkey (body: {}, signed in)."""
    body = json_body(allow_empty=True)
    settings = get_settings()
    store = get_store(current_app)
    if not any(name in body for name in ENROL_FIELDS):
        session = current_session(allow_recovery=True)
        if session is None:
            raise ApiError(401, "login_required", _("webauthn.error.login_required"))
        # A copied session cookie alone cannot add a passkey, nor can a wallet session.
        if not reauth.fresh_to_add_passkey(session):
            count("webauthn.registration", "reauthentication_required")
            return reauth.recheck_api(session, action="add_passkey", next_page="/account")
        hit("webauthn-options", limit=int(settings["rate_limit"]["challenges"]))
        with get_db(current_app).read() as db:
            try:
                options = ceremonies.begin_adding(db, store, rp=_rp(), citizen_id=session.citizen_id,
                                                  now=time.time())
            except WebAuthnError as exc:
                raise _refuse(exc, "webauthn.registration") from None
        return no_store(jsonify(options))
    hit("enrol")
    with get_db(current_app).read() as db:
        try:
            options = ceremonies.begin_enrolment(
                db, store, rp=_rp(), scheme=scheme(current_app),
                minimum_age=int(settings["enrolment"]["minimum_age"]), fields=body,
                now=time.time())
        except InvalidFields as exc:
            count("enrolment", "invalid_field")
            response = jsonify(error="invalid_field",
                               error_description=_(exc.errors[exc.field]),
                               field=exc.field,
                               fields={name: _(key) for name, key in exc.errors.items()})
            response.status_code = 400
            return no_store(response)
        except EnrolmentRefused:
            count("enrolment", "refused")
            log.info("enrolment refused", extra={"reason": "national_id_taken"})
            raise ApiError(400, "enrolment_refused", _("webauthn.error.enrolment_refused")) from None
    count("enrolment", "options")
    tally_apart(get_db(current_app), "funnel.enrolment", dimension="started")
    return no_store(jsonify(options))


def _lower_if_checked_with_reported(db: Session, session: SsoSession | None, *, citizen_id: str) -> None:
    """A passkey added in a session checked with a passkey whose model the FIDO metadata now
    reports compromised (its user verification bypassed, its keys extractable): that passkey
    signs in at level low only, and the one it adds must not carry the account's proofing past
    that limit to whoever holds it. As for a recovery code, the proofing goes back to low
    (evidence `reported_passkey`), the grants agencies hold above low end with it
    (`idp.assurance.lowered_grants`), and the citizen proves their identity again."""
    if session is None or session.recovery or reported_passkey(db, session.credential_id) is None:
        return
    if reset_proofing(db, citizen_id=uuid.UUID(citizen_id), reason="reported_passkey",
                      now=datetime.now(UTC)):
        # As after a recovery code: no agency's refresh token goes on at the level it had.
        revoke_grants_above(db, uuid.UUID(citizen_id), level="low", reason="reported_passkey")
        count("webauthn.registration", "proofing_lowered_reported")
        log.warning("passkey added with a reported model: proofing back to low",
                    extra={"citizen_id": citizen_id})


@bp.post("/registration/verify")
def registration_verify() -> Response:
    """Verify the new passkey (RegistrationResponseJSON); enrolment also signs the citizen in."""
    body = json_body()
    session = current_session(allow_recovery=True)
    try:
        with get_db(current_app).transaction() as db:
            result = ceremonies.finish_registration(
                db, get_store(current_app), rp=_rp(), body=body,
                signed_in_citizen=session.citizen_id if session else None,
                default_name=_("account.passkey.default_name"),
                recheck_fresh=session is not None and reauth.fresh_to_add_passkey(session),
                now=time.time())
            note_created(db, credential_id=from_b64url(result.credential_id),
                         user_agent=request.headers.get("User-Agent", ""))
            if result.purpose == "add":  # the citizen hears of it at their address, if it commits
                security_notices.tell(db, result.citizen_id, event="passkey_added", passkey=result.name)
                _lower_if_checked_with_reported(db, session, citizen_id=result.citizen_id)
            if result.purpose == "enrol":
                # A new account signs this browser in: not over another citizen's session
                # (AccountMismatch, 409; the new account is rolled back). Sign out first.
                ensure_may_start(result.citizen_id)
                tally_many(db, [("enrolment", None, None), ("funnel.enrolment", None, "passkey")])
    except WebAuthnError as exc:
        if exc.error == "reauthentication_required" and session is not None:
            count("webauthn.registration", exc.error)
            return reauth.recheck_api(session, action="add_passkey", next_page="/account")
        raise _refuse(exc, "webauthn.registration") from None
    count("webauthn.registration", result.purpose)
    if result.purpose == "enrol":  # match against the civil register (evidence; still low)
        check_after_enrolment(current_app, citizen_id=result.citizen_id)
    log.info("passkey registered", extra={"purpose": result.purpose, "citizen_id": result.citizen_id})
    redirect_to = "/account/recovery-codes" if result.purpose == "enrol" else "/account"
    response = jsonify(status="ok", redirect=redirect_to, credential_id=result.credential_id,
                       name=result.name)
    if session is not None and session.recovery and current_session(allow_recovery=True) is None:
        _undo_superseded_passkey(result.credential_id, citizen_id=result.citizen_id)
    if result.purpose == "add" and session is not None and not session.recovery:
        _undo_if_check_ended(result.credential_id, session=session)
    if result.purpose == "enrol" or (session is not None and session.recovery):
        # A new citizen is signed in; a recovering one now holds a new passkey, so the
        # short recovery session becomes a full one (with a new session id).
        new = start_session(response, citizen_id=result.citizen_id, amr=result.amr,
                            credential_id=result.credential_id)
        if result.purpose == "enrol":
            mark_pending(get_store(current_app), new.sid)
    return no_store(response)


def _undo_superseded_passkey(credential_id: str, *, citizen_id: str,
                             reason: str = "recovery_superseded") -> None:
    """A passkey a recovery session added while a desk recovery (or new codes, or a reclaim)
    superseded it, read after the commit (`current_session` checks the session's recovery
    generation and ends it): a desk recovery that committed in between deleted the account's
    passkeys without seeing this one, uncommitted then. It is deleted and the addition refused.
    `reason`: the metric's ("passkey_ended": `_undo_if_check_ended`)."""
    import sqlalchemy as sa

    from idp.citizens.models import Passkey

    with get_db(current_app).transaction() as db:
        db.execute(sa.delete(Passkey).where(Passkey.credential_id == from_b64url(credential_id, limit=1023),
                                            Passkey.citizen_id == uuid.UUID(citizen_id)))
    count("webauthn.registration", reason)
    log.warning("passkey added by a superseded session: deleted",
                extra={"citizen_id": citizen_id, "reason": reason})
    raise ApiError(401, "login_required", _("webauthn.error.login_required"))


def _undo_if_check_ended(credential_id: str, *, session: SsoSession) -> None:
    """A passkey a passkey session added, read after the commit: when the passkey the session
    was checked with (its `fresh_to_add_passkey`) is ended meanwhile (`reauth.check_ended`: a
    desk recovery, a reclaim, the owner's deletion, a clone signal), whoever held it would keep
    the account with this one. The session ends and the passkey is deleted, as a recovery
    session's (`_undo_superseded_passkey`)."""
    if not reauth.check_ended(session):
        return
    end_session(sid=session.sid, reason="passkey_ended")
    _undo_superseded_passkey(credential_id, citizen_id=session.citizen_id, reason="passkey_ended")


@bp.post("/authentication/options")
def authentication_options() -> Response:
    """Options for a usernameless sign-in with a discoverable credential; with {"acr": level}
    and a signed-in citizen (step-up, RFC 9470), only their passkeys that reach the level."""
    body = json_body(allow_empty=True)
    hit("webauthn-options", limit=int(get_settings()["rate_limit"]["challenges"]))
    session = current_session() if body.get("acr") in LEVELS else None
    allowed = None
    if session is not None:
        with get_db(current_app).read() as db:
            allowed = credential_descriptors(db, citizen_id=session.citizen_id, level=body["acr"])
        if not allowed:  # an empty allowCredentials would let the browser offer any passkey
            raise _refuse(WebAuthnError("no_qualifying_passkey", "none of the signed-in citizen's passkeys "
                                        f"reaches level {body['acr']}", status=403), "webauthn.authentication")
    options = ceremonies.begin_sign_in(get_store(current_app), rp=_rp(), now=time.time(), allowed=allowed)
    return no_store(jsonify(options))


@bp.post("/authentication/verify")
def authentication_verify() -> Response:
    """Verify the assertion (AuthenticationResponseJSON) and start the SSO session.

    A browser signed in already is here only to prove it again (/login?reauth=1: prompt=login,
    max_age, a step-up asked by an agency): a passkey of another citizen is refused (409
    `account_mismatch`, nothing recorded) and the session stays as it was. Replacing it
    would sign its citizen out of every agency (back-channel logout) and the other one in to
    them without a word; whoever wants another account signs out first."""
    body = json_body()
    now = time.time()
    try:
        # One transaction on a plain connection: the sign-in runs table statements only, so
        # an ORM session (its unit of work, its execution path) would only add cost.
        with get_db(current_app).engine.begin() as connection:
            result = ceremonies.finish_sign_in(connection, get_store(current_app), rp=_rp(),
                                               body=body, now=now)
            try:  # the rule of every sign-in (idp.sessions), before anything is committed
                ensure_may_start(result.citizen_id)
            except AccountMismatch:
                raise WebAuthnError("account_mismatch", "a passkey of another citizen than the one signed "
                                    "in to this browser", status=409) from None  # rolls the sign-in back
            # The sign-in history's entry, in this same transaction (one per sign-in).
            sign_ins.record_passkey_use(
                connection, citizen_id=uuid.UUID(result.citizen_id),
                kind="recheck" if continues(result.citizen_id) else "sign_in",
                user_agent=request.headers.get("User-Agent", ""),
                credential_id=from_b64url(result.credential_id, limit=1023),
                passkey_name=result.passkey_name, last_used_device=result.last_used_device,
                now=datetime.fromtimestamp(now, UTC))
    except WebAuthnError as exc:
        if isinstance(exc, CloneSuspected):
            sign_ins.note_clone(exc)
        raise _refuse(exc, "webauthn.authentication") from None
    count("webauthn.authentication", "ok")
    response = jsonify(status="ok", redirect="/account")
    started = start_session(response, citizen_id=result.citizen_id, amr=result.amr,
                            credential_id=result.credential_id, history_recorded=True)
    _refuse_if_passkey_ended(started, credential_id=result.credential_id)
    log.info("signed in", extra={"citizen_id": result.citizen_id})
    return no_store(response)


def _refuse_if_passkey_ended(started: SsoSession, *, credential_id: str) -> None:
    """Read once the session is written: a desk recovery or reclaim (the passkeys deleted), a
    deletion or a clone signal that committed after the sign-in's transaction ended the
    account's sessions before this one existed. Whoever held the passkey would keep a session
    on an account handed to someone else, and sign in to agencies with it: it ends here."""
    ended = reauth.ended_passkey(credential_id, citizen_id=started.citizen_id)
    if ended is None:
        return
    end_session(sid=started.sid, reason="passkey_ended")
    # As the ceremony refuses such a passkey (ceremonies.finish_sign_in): 403 suspect, 400 unknown.
    suspect = ended == "suspect"
    raise _refuse(WebAuthnError("credential_suspect" if suspect else "unknown_credential",
                                f"the passkey was {ended} while this sign-in started",
                                status=403 if suspect else 400), "webauthn.authentication")
