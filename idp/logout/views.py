"""The citizen's sessions: where they are signed in, through which agencies, and ending any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, redirect, render_template, request

from idp.logout import devices
from idp.logout.backchannel import agencies_by_sid
from idp.logout.end_session import signed_out_redirect
from idp.sessions import end_session, require_citizen, sessions_for
from infra.db import get_db
from infra.web.csrf import validate_csrf

bp = Blueprint("logout_sessions", __name__)

NOTICES = {"ended"}
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
        agencies=[c.client_metadata.get("client_name") or c.client_id for c in agencies.get(s.sid, [])])
        for s in live]
    views.sort(key=lambda v: (not v.this_device, -v.last_seen.timestamp()))
    notice = request.args.get("done")
    error = request.args.get("error")
    return render_template("logout/sessions.html", sessions=views,
                           notice=notice if notice in NOTICES else None,
                           error=error if error in ERRORS else None)


@bp.post("/account/sessions/<sid>/end")
def end_one(sid: str) -> Response:
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
