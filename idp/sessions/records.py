"""SSO sessions in the ephemeral store: created at sign-in, refreshed while used, ended.

The browser holds a random 32-byte token; the store knows only HMAC(key, token), so a
copy of the store does not let anyone sign in. Each session also has a public `sid`
(OpenID Connect Front-/Back-Channel Logout `sid`) and is listed under its citizen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field, replace

from infra.store import EphemeralStore

RECORD = "sso:s:"
BY_SID = "sso:sid:"
BY_CITIZEN = "sso:c:"
REFRESH_SECONDS = 60
# Decoded sessions kept per process, keyed by the stored value itself (the record's JSON and
# its reference): a value read again is not decoded again, and a changed record is a new key.
# Only what the store holds is kept (no token), and at most this many, oldest out first.
DECODED_MAX = 2048


@dataclass(frozen=True)
class SessionPolicy:
    """Lifetimes and the HMAC key, read once from the settings."""

    key: bytes
    idle_seconds: int
    absolute_seconds: int
    recovery_seconds: int
    # At most this many live sessions per citizen ([session] max_per_citizen); the oldest end.
    max_per_citizen: int = 20


@dataclass(frozen=True)
class SsoSession:
    sid: str
    citizen_id: str
    created: float
    auth_time: float
    last_seen: float
    expires: float  # the absolute end
    amr: tuple[str, ...] = ()
    user_agent: str = ""
    recovery: bool = False
    credential_id: str | None = None
    # A recovery session: the account's recovery generation it was opened under (a desk
    # recovery or new codes supersede it; `idp.sessions.check_recovery_with`). Written only
    # when set, so a worker of the previous release still reads the records of this one.
    opened_by: str | None = None
    # A wallet sign-in: what the PID it presented rests on, {"exp", "idx", "uri", "iss"} as
    # JSON (`idp.assurance.wallet_proofing.pid_facts`); the session is worth level low once that
    # PID expired or was revoked. Written only when set, as `opened_by`.
    pid: str | None = None
    ref: str = field(default="", compare=False, repr=False)

    def to_json(self) -> bytes:
        data = {
            "sid": self.sid, "citizen_id": self.citizen_id, "created": self.created,
            "auth_time": self.auth_time, "last_seen": self.last_seen, "expires": self.expires,
            "amr": list(self.amr), "user_agent": self.user_agent, "recovery": self.recovery,
            "credential_id": self.credential_id,
        }
        if self.opened_by is not None:
            data["opened_by"] = self.opened_by
        if self.pid is not None:
            data["pid"] = self.pid
        return json.dumps(data).encode()

    @classmethod
    def from_json(cls, raw: bytes, ref: str) -> SsoSession:
        data = json.loads(raw)
        data["amr"] = tuple(data.get("amr") or ())
        return cls(**data, ref=ref)

    def ends_at(self, policy: SessionPolicy) -> float:
        return min(self.expires, self.last_seen + policy.idle_seconds)


def reference(policy: SessionPolicy, token: str) -> str:
    return hmac.new(policy.key, token.encode(), hashlib.sha256).hexdigest()


_decoded: dict[tuple[bytes, str], SsoSession] = {}
_decoded_lock = threading.Lock()


def _keep(raw: bytes, session: SsoSession) -> None:
    with _decoded_lock:
        while len(_decoded) >= DECODED_MAX:
            del _decoded[next(iter(_decoded))]
        _decoded[(raw, session.ref)] = session


def decoded(raw: bytes, ref: str) -> SsoSession:
    """The session stored as `raw` under `ref`, decoded once per process (SsoSession is frozen,
    so the same object serves every request that reads the same value)."""
    key = (bytes(raw), ref)
    session = _decoded.get(key)
    if session is None:
        session = SsoSession.from_json(key[0], ref)
        _keep(key[0], session)
    return session


def _write(store: EphemeralStore, policy: SessionPolicy, session: SsoSession, now: float) -> None:
    ttl = max(1.0, session.ends_at(policy) - now)
    raw = session.to_json()
    store.set_many({RECORD + session.ref: raw, BY_SID + session.sid: session.ref.encode()}, ttl)
    _keep(raw, session)  # the next request reads this value: no need to decode it


@dataclass(frozen=True)
class Created:
    """A new session, the token for the browser's cookie, and the citizen's oldest sessions
    it ended to stay within `max_per_citizen` (to be announced: back-channel logout)."""

    token: str
    session: SsoSession
    ended: tuple[SsoSession, ...] = ()


def create(store: EphemeralStore, policy: SessionPolicy, *, citizen_id: str, amr: tuple[str, ...],
           user_agent: str, credential_id: str | None, recovery: bool, now: float,
           opened_by: str | None = None, pid: str | None = None) -> Created:
    """A new session (new token, new sid); the citizen's oldest sessions end beyond the cap."""
    token = secrets.token_urlsafe(32)
    lifetime = policy.recovery_seconds if recovery else policy.absolute_seconds
    session = SsoSession(sid=secrets.token_urlsafe(16), citizen_id=citizen_id, created=now,
                         auth_time=now, last_seen=now, expires=now + lifetime, amr=amr,
                         user_agent=user_agent[:200], recovery=recovery,
                         credential_id=credential_id, opened_by=opened_by if recovery else None,
                         pid=pid, ref=reference(policy, token))
    _write(store, policy, session, now)
    size = store.set_add(BY_CITIZEN + citizen_id, session.sid, policy.absolute_seconds)
    ended = _over_the_cap(store, policy, session, now) if size > policy.max_per_citizen else ()
    return Created(token, session, ended)


def _over_the_cap(store: EphemeralStore, policy: SessionPolicy, newest: SsoSession,
                  now: float) -> tuple[SsoSession, ...]:
    """End the citizen's oldest live sessions so that at most `max_per_citizen` remain (the
    new one always stays). Only read when the index has grown past the cap, so a sign-in
    costs the same however many sessions the citizen ever had."""
    others = [s for s in for_citizen(store, policy, newest.citizen_id, now) if s.sid != newest.sid]
    surplus = len(others) + 1 - max(1, policy.max_per_citizen)
    ended = tuple(others[:surplus]) if surplus > 0 else ()
    for session in ended:
        end(store, session)
    return ended


def load(store: EphemeralStore, policy: SessionPolicy, token: str, now: float) -> SsoSession | None:
    """The live session for this token, refreshed at most once a minute; None if ended."""
    if not token or len(token) > 64:
        return None
    ref = reference(policy, token)
    raw = store.get(RECORD + ref)
    if raw is None:
        return None
    session = decoded(raw, ref)
    if now >= session.ends_at(policy):
        # Only this record: its `sid` may name a newer one (re-authenticated meanwhile), and
        # the index and `sid` keys run out with it (their time-to-live is its end).
        store.delete(RECORD + session.ref)
        return None
    if now - session.last_seen < REFRESH_SECONDS:
        return session
    renewed = _refresh(store, policy, session, raw, now)
    return renewed if renewed is not None else _read_again(store, policy, session, now)


def _refresh(store: EphemeralStore, policy: SessionPolicy, session: SsoSession, raw: bytes,
             now: float) -> SsoSession | None:
    """`session` (read as `raw`) seen `now`, written only if its record is still `raw` and its
    `sid` still names it: a session ended (logout, the cap) or re-authenticated since it was
    read is never brought back by its refresh. None if not written."""
    renewed = replace(session, last_seen=now)
    written = renewed.to_json()
    ref = session.ref.encode()
    ttl = max(1.0, renewed.ends_at(policy) - now)
    if not store.compare_and_set({RECORD + session.ref: (bytes(raw), written),
                                  BY_SID + session.sid: (ref, ref)}, ttl):
        return None
    _keep(written, renewed)  # the next request reads this value: no need to decode it
    return renewed


def _read_again(store: EphemeralStore, policy: SessionPolicy, session: SsoSession,
                now: float) -> SsoSession | None:
    """The session as it is now, after its refresh found it changed (rare: a refresh at most
    once a minute): None if ended or re-authenticated (its record gone, or its `sid` naming
    another), else as another request refreshed it (not written again)."""
    raw, ref = store.get_many([RECORD + session.ref, BY_SID + session.sid])
    if raw is None or ref != session.ref.encode():
        return None
    current = decoded(raw, session.ref)
    return current if now < current.ends_at(policy) else None


def rotate(store: EphemeralStore, policy: SessionPolicy, session: SsoSession, *,
           amr: tuple[str, ...], credential_id: str | None, now: float,
           pid: str | None = None) -> tuple[str, SsoSession] | None:
    """Re-authentication: the same `sid` (agencies keep their sessions) under a new token, with
    a new auth_time, amr, PID (`pid`: that of a wallet sign-in, else none) and absolute end.
    The old token stops working at once.

    None when the session ended (or was re-authenticated elsewhere) since it was read: a
    sign-in racing a logout never brings the ended `sid` back, since its agencies were told it
    ended. The new record is written first, out of reach, and the `sid` is switched to it only
    if it still names the record read (one atomic step); `end` takes the `sid` first, so
    either the logout finds the new record and ends it too, or the switch finds the `sid` gone."""
    token = secrets.token_urlsafe(32)
    renewed = replace(session, auth_time=now, last_seen=now, expires=now + policy.absolute_seconds,
                      amr=amr, credential_id=credential_id, pid=pid, ref=reference(policy, token))
    ttl = max(1.0, renewed.ends_at(policy) - now)
    raw = renewed.to_json()
    store.set(RECORD + renewed.ref, raw, ttl)
    if not store.compare_and_set({BY_SID + session.sid: (session.ref.encode(), renewed.ref.encode())}, ttl):
        store.delete(RECORD + renewed.ref)
        return None
    store.delete(RECORD + session.ref)
    _keep(raw, renewed)
    store.set_add(BY_CITIZEN + session.citizen_id, session.sid, policy.absolute_seconds)
    return token, renewed


def end(store: EphemeralStore, session: SsoSession) -> bool:
    """End the SSO session `session.sid` wholly, whichever token it has now (re-authenticated
    since `session` was read: that record too). The `sid` is taken first, in one step, so
    exactly one caller ends it (True; announce it) and a racing `rotate` either is ended with
    it or finds it gone (never brings it back). False: it had ended already."""
    taken = store.take(BY_SID + session.sid)
    refs = {session.ref, *([taken.decode()] if taken is not None else [])}
    store.delete(*(RECORD + ref for ref in sorted(refs)))
    store.set_remove(BY_CITIZEN + session.citizen_id, session.sid)
    return taken is not None


def by_sid(store: EphemeralStore, policy: SessionPolicy, sid: str, now: float) -> SsoSession | None:
    ref = store.get(BY_SID + sid)
    if ref is None:
        return None
    raw = store.get(RECORD + ref.decode())
    if raw is None:
        return None
    session = decoded(raw, ref.decode())
    return session if now < session.ends_at(policy) else None


def for_citizen(store: EphemeralStore, policy: SessionPolicy, citizen_id: str,
                now: float) -> list[SsoSession]:
    """The citizen's live sessions, oldest first; ended ones are dropped from the index."""
    found = []
    for sid in store.set_members(BY_CITIZEN + citizen_id):
        session = by_sid(store, policy, sid, now)
        if session is None:
            store.set_remove(BY_CITIZEN + citizen_id, sid)
        else:
            found.append(session)
    return sorted(found, key=lambda s: s.created)
