"""At most `[session] max_per_citizen` live sessions per citizen (issue 16: 10k sign-ins used
to leave 10k sessions in the store). A sign-in beyond the cap ends the citizen's oldest
session; the agencies signed in through it are told (the session listeners: back-channel
logout), and the citizen's index in the store stays at the cap."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

import idp.sessions
from idp.sessions import SessionEvent, add_listener, records, session_policy
from infra.store import get_store
from tests.idp.conftest import sign_in


@pytest.fixture
def capped(fresh_app, monkeypatch):
    """The app with a cap of 2 sessions per citizen."""
    policy = replace(session_policy(fresh_app), max_per_citizen=2)
    monkeypatch.setattr(idp.sessions, "_policy", lambda: policy)
    return policy


def test_sessions_beyond_the_cap_end_oldest_first(fresh_app):
    store = get_store(fresh_app)
    policy = replace(session_policy(fresh_app), max_per_citizen=3)
    made = []
    for second in range(5):
        made.append(records.create(store, policy, citizen_id="c-1", amr=("hwk",), user_agent="", credential_id=None,
                                   recovery=False, now=time.time() + second * 0.001))
    assert [c.ended for c in made[:3]] == [(), (), ()]
    assert [s.sid for s in made[3].ended] == [made[0].session.sid]
    assert [s.sid for s in made[4].ended] == [made[1].session.sid]
    assert store.set_members(records.BY_CITIZEN + "c-1") == {c.session.sid for c in made[2:]}
    now = time.time()
    assert records.load(store, policy, made[0].token, now) is None
    assert records.by_sid(store, policy, made[1].session.sid, now) is None
    assert records.load(store, policy, made[4].token, now) is not None


def test_other_citizens_sessions_are_not_counted(fresh_app):
    store = get_store(fresh_app)
    policy = replace(session_policy(fresh_app), max_per_citizen=1)
    first = records.create(store, policy, citizen_id="c-1", amr=(), user_agent="", credential_id=None,
                           recovery=False, now=time.time())
    other = records.create(store, policy, citizen_id="c-2", amr=(), user_agent="", credential_id=None,
                           recovery=False, now=time.time())
    assert other.ended == ()
    assert records.load(store, policy, first.token, time.time()) is not None


def test_a_sign_in_beyond_the_cap_signs_the_oldest_browser_out_and_tells_the_agencies(
        fresh_app, client, enrolled, capped):
    ended = []

    def listener(change):
        if change.event is SessionEvent.ENDED:
            ended.append((change.event, change.session.sid, change.reason))

    add_listener(fresh_app, listener)
    try:
        first_sid = idp_session(fresh_app, client).sid  # the enrolment signed this browser in
        browsers = [fresh_app.test_client() for _ in range(2)]
        for browser in browsers:
            assert sign_in(browser, enrolled.key).status_code == 200
        assert ended == [(SessionEvent.ENDED, first_sid, "limit")]
        assert client.get("/account").status_code == 302  # the oldest browser must sign in again
        assert all(b.get("/account").status_code == 200 for b in browsers)
        sessions = records.for_citizen(get_store(fresh_app), capped, enrolled.citizen_id, time.time())
        assert len(sessions) == 2
    finally:
        idp.sessions.LISTENERS.of(fresh_app).remove(listener)


def idp_session(app, client):
    token = client.get_cookie("cedula_session").value
    return records.load(get_store(app), session_policy(app), token, time.time())
