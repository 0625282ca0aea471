"""Where a passkey was created and last used, in a citizen's words ("Chrome on macOS").

Only the browser family and the operating system are kept (`idp.logout.devices`), stored as
"browser|system" on the passkey row, never the User-Agent itself. A passkey's creation is
noted by the registration view; its use by a session listener: a sign-in or re-check with
the passkey (the session names it) updates the row only when the device changed.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from idp.citizens.models import Passkey
from idp.logout.devices import Device, describe
from idp.sessions import SsoSession
from idp.webauthn.encoding import from_b64url
from infra.db import get_db

log = logging.getLogger(__name__)
SEPARATOR = "|"


def summary(user_agent: str) -> str | None:
    """"browser|system" for a User-Agent, or None when neither is recognised."""
    device = describe(user_agent or "")
    if device.browser is None and device.system is None:
        return None
    return f"{device.browser or ''}{SEPARATOR}{device.system or ''}"[:80]


def parse(value: str | None) -> Device | None:
    """The stored summary as a Device, or None."""
    if not value or SEPARATOR not in value:
        return None
    browser, _, system = value.partition(SEPARATOR)
    if not browser and not system:
        return None
    return Device(browser=browser or None, system=system or None)


def note_created(session: Session, *, credential_id: bytes, user_agent: str) -> None:
    """Record where a passkey was just registered (in the registration's transaction)."""
    device = summary(user_agent)
    if device is None:
        return
    session.execute(sa.update(Passkey).where(Passkey.credential_id == credential_id)
                    .values(created_device=device, last_used_device=device)
                    .execution_options(cache_neutral=True))


def note_used(session: Session, *, credential_id: bytes, user_agent: str) -> None:
    """Record where a passkey was used, writing only when the device changed."""
    device = summary(user_agent)
    if device is None:
        return
    session.execute(sa.update(Passkey)
                    .where(Passkey.credential_id == credential_id,
                           sa.or_(Passkey.last_used_device.is_(None),
                                  Passkey.last_used_device != device))
                    .values(last_used_device=device)
                    .execution_options(cache_neutral=True))


def on_session_event(*, event: str, session: SsoSession, reason: str) -> None:
    """Session listener (idp.sessions.add_listener): a sign-in or re-check with a passkey."""
    if event not in {"started", "reauthenticated"} or not session.credential_id:
        return
    try:
        raw = from_b64url(session.credential_id, limit=1023)
    except ValueError:
        return
    with get_db(current_app).transaction() as db:
        note_used(db, credential_id=raw, user_agent=session.user_agent)


__all__ = ["note_created", "note_used", "on_session_event", "parse", "summary"]
