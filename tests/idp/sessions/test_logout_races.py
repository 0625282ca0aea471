"""A sign-in (re-authentication, same `sid`) racing a sign-out of the same session: the logout
ends the `sid` wholly or the sign-in gets a new `sid`; never an announced-ended `sid` that lives
on, nor a half-ended session (its record live, its `sid` gone). Interleavings made deterministic:
the store runs the other side at the chosen step."""

from __future__ import annotations

import time
from collections.abc import Callable

import idp.sessions
from idp.sessions import SessionEvent, records
from infra.store import EphemeralStore, get_store
from infra.store.prefetched import Prefetched
from tests.idp.conftest import enrol
from tests.idp.sessions.test_refresh_races import POLICY, signed_in


class AfterSet(Prefetched):
    """`store`, running `then` once, right after a key starting with `prefix` is set."""

    def __init__(self, store: EphemeralStore, prefix: str, then: Callable[[], None]) -> None:
        super().__init__(store, {})
        self.prefix, self.then, self.done = prefix, then, False

    def set(self, key: str, value: bytes, ttl: float) -> None:
        super().set(key, value, ttl)
        if key.startswith(self.prefix) and not self.done:
            self.done = True
            self.then()


def _gone(store: EphemeralStore, session: records.SsoSession, now: float) -> None:
    assert records.by_sid(store, POLICY, session.sid, now) is None
    assert records.for_citizen(store, POLICY, session.citizen_id, now) == []


def test_a_re_authentication_after_the_logout_does_not_bring_the_sid_back(store):
    now = time.time()
    created = signed_in(store, now)
    assert records.end(store, created.session) is True  # the sign-out, announced
    assert records.rotate(store, POLICY, created.session, amr=("hwk",), credential_id=None, now=now) is None
    _gone(store, created.session, now + 1)


def test_a_logout_during_the_re_authentication_ends_it_or_refuses_it(store):
    """The sign-out lands between the new record's write and the switch of the `sid` to it."""
    now = time.time()
    created = signed_in(store, now)
    ended: list[bool] = []
    racing = AfterSet(store, records.RECORD, lambda: ended.append(records.end(store, created.session)))
    assert records.rotate(racing, POLICY, created.session, amr=("hwk",), credential_id=None, now=now) is None
    assert racing.done and ended == [True]
    _gone(store, created.session, now + 1)


def test_a_logout_that_read_the_session_before_its_re_authentication_ends_the_new_token_too(store):
    """The sign-out read the old token's record, the sign-in rotated it since: the `sid` the
    agencies are told about must not live on under the new token (nor half: record, no sid)."""
    now = time.time()
    created = signed_in(store, now)
    rotated = records.rotate(store, POLICY, created.session, amr=("hwk",), credential_id=None, now=now)
    assert rotated is not None
    new_token, _renewed = rotated
    assert records.end(store, created.session) is True
    assert records.load(store, POLICY, new_token, now + 1) is None
    _gone(store, created.session, now + 1)


def test_a_session_is_ended_once(store):
    now = time.time()
    created = signed_in(store, now)
    assert records.end(store, created.session) is True
    assert records.end(store, created.session) is False


def test_a_sign_in_racing_the_sign_out_gets_a_new_session(fresh_app, changes):
    """The sign-in read this browser's session, the sign-out (another tab) ended it before the
    sign-in re-authenticated it: a new session with a new sid starts, the ended one stays ended,
    announced once, and no expiry of the ended sid is scheduled again."""
    browser = fresh_app.test_client()
    enrolled = enrol(browser)
    with fresh_app.app_context():
        cookie = browser.get_cookie(idp.sessions.cookie_name())
    with fresh_app.test_request_context(headers={"Cookie": f"{cookie.key}={cookie.value}"}):
        old = idp.sessions.current_session()
        assert old is not None
        idp.sessions.end_session(sid=old.sid, reason="logout")  # the other tab's sign-out
        response = fresh_app.response_class()
        new = idp.sessions.start_session(response, citizen_id=enrolled.citizen_id, amr=("hwk",))
        assert new.sid != old.sid
        store = get_store(fresh_app)
        now = time.time()
        assert records.by_sid(store, idp.sessions.session_policy(), old.sid, now) is None
        assert records.by_sid(store, idp.sessions.session_policy(), new.sid, now) == new
        idp.sessions.end_session(sid=old.sid, reason="logout")  # ended already: not told again
    assert [(c.event, c.session.sid) for c in changes] == [
        (SessionEvent.STARTED, old.sid), (SessionEvent.ENDED, old.sid), (SessionEvent.STARTED, new.sid)]
