"""The citizen's sessions: where they are signed in, through which agencies, and ending any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from clients.registry import agency_name
from idp.account.confirmation import Confirmation, Page, confirmation_page, see_other
from idp.assurance import amr
from idp.logout import devices
from idp.logout.backchannel import agencies_by_sid
from idp.logout.end_session import signed_out_redirect
from idp.sessions import end_session, require_citizen, sessions_for
from infra.db import get_db
from infra.web.csrf import validate_csrf
from infra.web.i18n import current_language
from infra.web.i18n import gettext as _

bp = Blueprint("logout_sessions", __name__)

NOTICES = {"ended", "ended_others"}
ERRORS = {"not_found"}


@dataclass(frozen=True)
class SessionView:
    sid: str
    device: devices.Device
    signed_in: datetime
    last_seen: datetime
    agencies: list[str]
    this_device: bool
    recovery: bool
    wallet: bool = False  # signed in with a PID from a digital wallet (idp/wallet/sign_in.py)


def _utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


@bp.get("/account/sessions")
def sessions_page() -> str:
    current = require_citizen()
    live = sessions_for(current.citizen_id)
    with get_db(current_app).read() as db:
        agencies = agencies_by_sid(db, citizen_id=current.citizen_id, sids=[s.sid for s in live])
    views = [SessionView(
        sid=s.sid, device=devices.describe(s.user_agent), signed_in=_utc(s.created),
        last_seen=_utc(s.last_seen), this_device=s.sid == current.sid, recovery=s.recovery,
        wallet=amr.wallet(s.amr),
        agencies=[agency_name(c, current_language()) for c in agencies.get(s.sid, [])])
        for s in live]
    views.sort(key=lambda v: (not v.this_device, -v.last_seen.timestamp()))
    notice = request.args.get("done")
    error = request.args.get("error")
    return render_template("logout/sessions.html", sessions=views,
                           notice=notice if notice in NOTICES else None,
                           error=error if error in ERRORS else None)


def _device_words(user_agent: str) -> str:
    device = devices.describe(user_agent)
    if device.browser and device.system:
        return _("logout.device.both", browser=device.browser, system=device.system)
    return device.browser or device.system or _("logout.device.unknown")


@bp.get("/account/sessions/<sid>/end")
def confirm_end_one(sid: str) -> Page:
    """Are you sure? Ending another device's session (this browser's is a plain sign-out)."""
    current = require_citizen()
    if sid == current.sid:
        return see_other("/account/sessions")
    session = next((s for s in sessions_for(current.citizen_id) if s.sid == sid), None)
    if session is None:
        return see_other("/account/sessions?error=not_found")
    with get_db(current_app).read() as db:
        agencies = agencies_by_sid(db, citizen_id=current.citizen_id, sids=[sid]).get(sid, [])
    names = [agency_name(c, current_language()) for c in agencies]
    device = _device_words(session.user_agent)
    effects = [_("logout.confirm.one.effect_device", device=device)]
    if names:
        effects.append(_("logout.confirm.one.effect_agencies", agencies=", ".join(names)))
    return confirmation_page(Confirmation(
        group="security", title=_("logout.confirm.one.title", device=device),
        lead=_("logout.confirm.one.lead", device=device), effects=effects,
        instead=_("logout.confirm.one.instead"),
        action=f"/account/sessions/{sid}/end", button=_("logout.confirm.one.button"),
        back="/account/sessions"))


@bp.get("/account/sessions/end-others")
def confirm_end_others() -> Page:
    current = require_citizen()
    others = [s for s in sessions_for(current.citizen_id) if s.sid != current.sid]
    if not others:
        return see_other("/account/sessions")
    return confirmation_page(Confirmation(
        group="security", title=_("logout.confirm.others.title"),
        lead=_("logout.confirm.others.lead", count=len(others)),
        effects=(_("logout.confirm.others.effect_devices"),
                 _("logout.confirm.others.effect_agencies"),
                 _("logout.confirm.others.effect_here")),
        instead=_("logout.confirm.others.instead"),
        action="/account/sessions/end-others", button=_("logout.confirm.others.button"),
        back="/account/sessions"))


@bp.post("/account/sessions/end-others")
def end_others() -> Page:
    """End every session of the citizen but this browser's (each agency told)."""
    current = require_citizen()
    validate_csrf()
    for session in sessions_for(current.citizen_id):
        if session.sid != current.sid:
            end_session(sid=session.sid, reason="citizen")
    return see_other("/account/sessions?done=ended_others")


@bp.post("/account/sessions/<sid>/end")
def end_one(sid: str) -> BaseResponse:
    """End one of the citizen's sessions; ending this browser's own signs it out."""
    current = require_citizen()
    validate_csrf()
    if sid == current.sid:
        response = signed_out_redirect(current)
        end_session(response, reason="citizen")
        return response
    if sid not in {s.sid for s in sessions_for(current.citizen_id)}:
        return redirect("/account/sessions?error=not_found", code=303)
    end_session(sid=sid, reason="citizen")
    return redirect("/account/sessions?done=ended", code=303)
