"""Sessions that end by timeout also end at the agencies (Back-Channel Logout 1.0, section 2.7).

A session ended by sign-out is announced at once. One that simply runs out (idle or absolute
timeout) is not seen ending by any request, so every started session is put on a schedule at the
moment it would end. When that moment comes, a session still in use is put back at its new end;
one that is gone is announced as expired. A mark per live session (`logout:live:<sid>`) tells an
expiry from a sign-out already announced, and `take` on it lets exactly one process announce.
"""

from __future__ import annotations

from collections.abc import Callable

from idp.sessions import records
from idp.sessions.records import SessionPolicy, SsoSession
from infra.store import EphemeralStore

QUEUE = "logout:expiries"
MARK = "logout:live:"
BATCH = 500
# Seconds after its end at which a session is looked at (its record is gone by then).
GRACE = 1.0


def track(store: EphemeralStore, session: SsoSession, *, ends_at: float, longest_seconds: int) -> None:
    """Watch a started (or re-authenticated) session until it ends: it runs out at `ends_at`
    unless used again, and lives `longest_seconds` at most (`idp.sessions.SessionChange`)."""
    store.set(MARK + session.sid, session.citizen_id.encode(), longest_seconds + 3600)
    store.schedule(QUEUE, session.sid, ends_at + GRACE)


def forget(store: EphemeralStore, sid: str) -> None:
    """The session ended and was announced: its expiry is no news."""
    store.delete(MARK + sid)


def process_due(store: EphemeralStore, policy: SessionPolicy, *, now: float,
                announce: Callable[..., None]) -> int:
    """Announce the sessions that ran out by `now`; returns how many."""
    ended = 0
    for sid in store.due(QUEUE, now, BATCH):
        if store.get(MARK + sid) is None:
            continue  # signed out (announced then), or announced by another process
        session = records.by_sid(store, policy, sid, now)
        if session is not None:  # still in use: look again when it would end now
            store.schedule(QUEUE, sid, session.ends_at(policy) + GRACE)
            continue
        citizen_id = store.take(MARK + sid)
        if citizen_id is None:
            continue
        announce(sid=sid, citizen_id=citizen_id.decode(), reason="expired")
        ended += 1
    return ended
