"""How long this browser's session has left, and keeping it alive on the citizen's request.

A page the citizen reads or fills in warns them before a time limit runs out and lets them
continue (WCAG 2.2.1, Timing Adjustable): the seconds left come from here, rendered in the page
(`seconds_left`), and the page's "continue" button refreshes the idle clock (`keep_alive`),
never past the session's absolute end (`SsoSession.expires`, `[session] absolute_seconds`;
a recovery session's `[recovery] session_seconds`).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from flask import current_app

from idp.sessions import current_session, session_policy
from idp.sessions.records import BY_SID, RECORD, SessionPolicy, SsoSession, decoded
from infra.store import EphemeralStore, get_store


def seconds_left(session: SsoSession, policy: SessionPolicy, now: float) -> int:
    """Whole seconds until `session` runs out unless it is used again (0: it has), rounded up:
    a page counting them down never says the session ended while the server still takes it
    (rounded down, a form sent as the page said so was accepted, up to a second early)."""
    return max(0, math.ceil(session.ends_at(policy) - now))


def current_seconds_left() -> int | None:
    """Seconds left to this browser's session (a recovery session's too), None without one."""
    session = current_session(allow_recovery=True)
    return None if session is None else seconds_left(session, session_policy(), time.time())


def refresh(store: EphemeralStore, policy: SessionPolicy, session: SsoSession, now: float) -> SsoSession | None:
    """`session` seen `now` (its idle clock starts again; its absolute end stays), written only
    if its record and `sid` are still the ones read: a session ended or re-authenticated
    meanwhile is never brought back. None: it ended (or changed: read it again)."""
    raw, ref = store.get_many([RECORD + session.ref, BY_SID + session.sid])
    if raw is None or ref != session.ref.encode():
        return None
    current = decoded(raw, session.ref)
    if now >= current.ends_at(policy):
        return None
    renewed = replace(current, last_seen=now)
    written = renewed.to_json()
    ttl = max(1.0, renewed.ends_at(policy) - now)
    if not store.compare_and_set({RECORD + session.ref: (bytes(raw), written), BY_SID + session.sid: (ref, ref)},
                                 ttl):
        return None
    return renewed


def keep_alive() -> int | None:
    """Refresh this browser's session: the seconds it has left now, None if it has ended."""
    session = current_session(allow_recovery=True)
    if session is None:
        return None
    policy, now = session_policy(), time.time()
    renewed = refresh(get_store(current_app), policy, session, now)
    return None if renewed is None else seconds_left(renewed, policy, now)
