"""What the session tells its listeners (`idp.sessions.add_listener`): a typed `SessionChange`
for each session started, re-authenticated or ended, saying whether the sign-in wrote its
history entry already (`history_recorded`), so no flag travels on Flask's `g`."""

from __future__ import annotations

import idp.sessions
from idp.sessions import SessionEvent, session_policy
from idp.sessions.records import SessionPolicy
from tests.idp.conftest import enrol, recheck, sign_in


def _seen(changes):
    return [(c.event, c.history_recorded, c.reason) for c in changes]


def test_a_passkey_sign_in_says_its_history_entry_is_written(fresh_app, changes):
    browser, laptop = fresh_app.test_client(), fresh_app.test_client()
    enrolled = enrol(browser)
    assert _seen(changes) == [(SessionEvent.STARTED, False, "")]  # the enrolment wrote none
    assert sign_in(laptop, enrolled.key).status_code == 200
    assert sign_in(laptop, enrolled.key).status_code == 200  # the same citizen, this browser
    assert _seen(changes)[1:] == [(SessionEvent.STARTED, True, ""),
                                  (SessionEvent.REAUTHENTICATED, True, "")]
    policy = session_policy(fresh_app)
    assert changes[1].ends_at == changes[1].session.ends_at(policy)
    assert changes[1].longest_seconds == policy.absolute_seconds
    assert not any(isinstance(value, SessionPolicy | bytes) for value in vars(changes[1]).values())
    assert changes[1].session.citizen_id == enrolled.citizen_id


def test_a_recheck_and_a_sign_out_are_told_as_they_are(fresh_app, changes):
    browser = fresh_app.test_client()
    enrolled = enrol(browser)
    assert recheck(browser, enrolled.key).status_code == 200
    sid = changes[-1].session.sid
    with fresh_app.test_request_context():
        idp.sessions.end_session(sid=sid, reason="citizen")
    assert _seen(changes) == [(SessionEvent.STARTED, False, ""), (SessionEvent.REAUTHENTICATED, False, ""),
                              (SessionEvent.ENDED, False, "citizen")]
