"""WCAG 2.2.1 (Timing Adjustable) in Chromium: before the session's idle limit runs out, the
page warns the citizen (an alert dialog, focus on it, how much time is left), "Continue"
extends the session on the server (the page still works after the original limit), and a
warning ignored ends with the page saying what to do next, and the form sent then lands on
the usual "your session ended" sign-in page."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from tests.browser.flows import active_id, enrol_on_new_device, message
from tests.support.components import replace_component

pytestmark = pytest.mark.browser


def _short_idle(monkeypatch, app, idle: int):
    """The live server's sessions idle out after `idle` seconds (the test's settings)."""
    from idp.sessions import POLICY, session_policy

    return replace_component(monkeypatch, app, POLICY, dataclasses.replace(session_policy(app), idle_seconds=idle))


def _record(browser, app) -> tuple[str, dict]:
    from idp.sessions import cookie_name, records, session_policy
    from infra.store import get_store

    with app.test_request_context():
        name = cookie_name()
    token = browser.driver.get_cookie(name)["value"]
    key = records.RECORD + records.reference(session_policy(app), token)
    return key, json.loads(get_store(app).get(key))


def test_the_warning_lets_the_citizen_continue_past_the_original_limit(browser, server, monkeypatch):
    enrol_on_new_device(browser)
    policy = _short_idle(monkeypatch, server.app, 130)  # warned 120 s ahead: after about 10 s
    browser.open("/account")
    _, before = _record(browser, server.app)
    original_end = before["last_seen"] + policy.idle_seconds
    dialog = browser.wait_for("#time-limit")
    assert dialog.get_attribute("role") == "alertdialog"
    browser.wait(lambda d: active_id(browser) == "time-limit", "focus on the warning")
    text = browser.one("#time-limit-message").text
    assert text == message(server, "time_limit.warning").replace("{minutes}", "2")
    browser.assert_accessible()
    assert browser.csp_violations() == []
    browser.one("#time-limit-continue").click()
    browser.wait(lambda d: browser.one("#time-limit-message").text == message(server, "time_limit.extended"),
                 "the page says there is more time")
    _, after = _record(browser, server.app)
    assert after["last_seen"] > before["last_seen"]
    # Later than the original limit, within the extended one: the page still works.
    later = after["last_seen"] + policy.idle_seconds - 3
    assert later > original_end
    real = time.time
    offset = later - real()
    monkeypatch.setattr(time, "time", lambda: real() + offset)  # the server's clock, moved on
    browser.open("/account")
    browser.wait_for_path("/account")
    assert browser.all("form[action='/account/recovery-codes']")


def test_a_warning_ignored_says_what_to_do_and_the_form_lands_on_the_session_ended_page(browser, server,
                                                                                        monkeypatch):
    from infra.store import get_store

    enrol_on_new_device(browser)
    _short_idle(monkeypatch, server.app, 70)
    key, record = _record(browser, server.app)
    # Seen 45 s ago by the server's clock, held still while the next page loads (however slow
    # the machine): that page does not refresh it (once a minute,
    # idp.sessions.records.REFRESH_SECONDS) and says it idles out in 25 s. It was a real
    # window: a page opened too late refreshed the session, which then did not end.
    real = time.time
    now = real()
    record["last_seen"] = now - 45
    get_store(server.app).set(key, json.dumps(record).encode(), 600)
    monkeypatch.setattr(time, "time", lambda: now)  # the server's clock, stopped
    browser.open("/account")
    browser.wait_for("#time-limit")
    assert int(browser.one("#time-limit").get_attribute("data-seconds")) == 25
    # Then the server's clock runs again from the session's idle end: ended there too.
    ended = record["last_seen"] + 70 - real()
    monkeypatch.setattr(time, "time", lambda: real() + ended)
    browser.wait(lambda d: browser.one("#time-limit-message").text == message(server, "time_limit.ended"),
                 "the page says the session ended", seconds=60)
    assert browser.one("#time-limit-sign-in").is_displayed()
    assert not browser.one("#time-limit-continue").is_displayed()
    browser.assert_accessible()
    browser.submit_and_wait("form[action='/account/recovery-codes'] button[type=submit]")
    browser.wait_for_path("/login")
    assert browser.wait_for("#session-ended").text == message(server, "login.session_ended")


def test_near_the_sessions_absolute_end_continue_says_no_more_time_can_be_given(browser, server, monkeypatch):
    """Regression: "Continue" within the warning of the session's absolute end (which no
    keep-alive moves) said "you have more time" and showed the same warning again at once."""
    from infra.store import get_store

    enrol_on_new_device(browser)
    _short_idle(monkeypatch, server.app, 130)
    key, record = _record(browser, server.app)
    record["expires"] = time.time() + 125  # its absolute end: within the warning once continued
    get_store(server.app).set(key, json.dumps(record).encode(), 125)
    browser.open("/account")
    browser.wait_for("#time-limit")
    browser.wait(lambda d: active_id(browser) == "time-limit", "focus on the warning")
    browser.one("#time-limit-continue").click()
    final = message(server, "time_limit.final").replace("{minutes}", "2")
    browser.wait(lambda d: browser.one("#time-limit-message").text == final, "the page says no more time can be given")
    assert not browser.one("#time-limit-continue").is_displayed()
    assert browser.one("#time-limit").is_displayed()
    browser.assert_accessible()
