"""A session's refresh racing its end or its re-authentication (security review): the refresh
of a request that read the record before the session ended must not bring it back, and the
refresh of one that read it before re-authentication must not revive the old token. The
interleaving is made deterministic: the store runs the other side right after the load's read."""

from __future__ import annotations

import time
from collections.abc import Callable

from idp.sessions import records
from infra.store import EphemeralStore
from infra.store.prefetched import Prefetched

POLICY = records.SessionPolicy(key=b"k" * 32, idle_seconds=1800, absolute_seconds=43200,
                               recovery_seconds=900)


class AfterRead(Prefetched):
    """`store`, running `then` once, right after the first read of `key`."""

    def __init__(self, store: EphemeralStore, key: str, then: Callable[[], None]) -> None:
        super().__init__(store, {})
        self.key, self.then, self.done = key, then, False

    def get(self, key: str) -> bytes | None:
        value = super().get(key)
        if key == self.key and not self.done:
            self.done = True
            self.then()
        return value


def signed_in(store: EphemeralStore, now: float) -> records.Created:
    return records.create(store, POLICY, citizen_id="c-1", amr=("hwk",), user_agent="ua",
                          credential_id=None, recovery=False, now=now)


def test_a_refresh_after_the_session_ended_does_not_bring_it_back(store):
    start = time.time()
    created = signed_in(store, start)
    later = start + records.REFRESH_SECONDS + 1  # this load refreshes the record
    racing = AfterRead(store, records.RECORD + created.session.ref,
                       lambda: records.end(store, created.session))  # logout, between read and write
    assert records.load(racing, POLICY, created.token, later) is None
    assert racing.done
    assert store.get(records.RECORD + created.session.ref) is None
    assert store.get(records.BY_SID + created.session.sid) is None
    assert records.load(store, POLICY, created.token, later + 1) is None
    assert records.by_sid(store, POLICY, created.session.sid, later + 1) is None
    assert records.for_citizen(store, POLICY, "c-1", later + 1) == []


def test_a_refresh_after_re_authentication_does_not_revive_the_old_token(store):
    start = time.time()
    created = signed_in(store, start)
    later = start + records.REFRESH_SECONDS + 1
    rotated: list[tuple[str, records.SsoSession]] = []
    racing = AfterRead(store, records.RECORD + created.session.ref, lambda: rotated.append(records.rotate(
        store, POLICY, created.session, amr=("hwk", "mfa"), credential_id=None, now=later)))
    assert records.load(racing, POLICY, created.token, later) is None
    assert racing.done
    new_token, renewed = rotated[0]
    assert store.get(records.RECORD + created.session.ref) is None
    assert store.get(records.BY_SID + created.session.sid) == renewed.ref.encode()
    assert records.load(store, POLICY, created.token, later + 1) is None
    found = records.load(store, POLICY, new_token, later + 1)
    assert found is not None and found.ref == renewed.ref and found.amr == ("hwk", "mfa")
    assert records.by_sid(store, POLICY, created.session.sid, later + 1) == renewed
    assert [s.ref for s in records.for_citizen(store, POLICY, "c-1", later + 1)] == [renewed.ref]


def test_a_refresh_after_another_requests_refresh_keeps_the_session(store):
    """Two requests of one session past the minute: one refresh is written, the other finds
    it and answers the session as refreshed (not an ended session)."""
    start = time.time()
    created = signed_in(store, start)
    later = start + records.REFRESH_SECONDS + 1
    racing = AfterRead(store, records.RECORD + created.session.ref,
                       lambda: records.load(store, POLICY, created.token, later))
    found = records.load(racing, POLICY, created.token, later + 0.5)
    assert racing.done
    assert found is not None and found.sid == created.session.sid and found.last_seen == later
    raw = store.get(records.RECORD + created.session.ref)
    assert raw is not None and records.SsoSession.from_json(raw, created.session.ref).last_seen == later


def test_a_refresh_is_written_and_kept_decoded(store):
    start = time.time()
    created = signed_in(store, start)
    later = start + records.REFRESH_SECONDS + 1
    found = records.load(store, POLICY, created.token, later)
    assert found is not None and found.last_seen == later
    raw = store.get(records.RECORD + created.session.ref)
    assert raw == found.to_json()
    assert records.decoded(raw, created.session.ref) is found  # the refreshed value, decoded once
    assert store.get(records.BY_SID + created.session.sid) == created.session.ref.encode()
