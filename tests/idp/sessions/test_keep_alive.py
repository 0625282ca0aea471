"""More time on a page with a time limit (WCAG 2.2.1): the page carries the seconds left from
the server, and its "continue" button (POST /session/keep-alive, CSRF-protected) refreshes the
session's idle clock and, on an agency's request page, the kept interaction; never past the
session's absolute end; a clear 4xx when the session ended or the interaction is gone."""

from __future__ import annotations

import hashlib
import re
import time

from idp.oidc import interaction_binding, interactions
from idp.sessions import records, session_policy
from infra.store import get_store
from tests.idp.conftest import csrf, session_cookie
from tests.idp.oidc.conftest import citizen, oidc_app, register  # noqa: F401 - fixtures

JSON = {"Accept": "application/json", "Accept-Language": "en"}


def _record(client):
    app = client.application
    return records.load(get_store(app), session_policy(app), session_cookie(client), time.time())


def _keep_alive(client, token, **form):
    return client.post("/session/keep-alive", data={"csrf_token": token, **form}, headers=JSON)


def test_the_page_carries_the_seconds_left_from_the_server(client, enrolled):
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    seconds = int(re.search(r'data-seconds="(\d+)"', page).group(1))
    assert 1790 <= seconds <= 1800  # [session] idle_seconds
    assert 'role="alertdialog"' in page and 'src="/static/js/time-limit.js"' in page
    assert "this page stops working after 30 minutes without activity" in page  # <noscript>


def test_signed_out_pages_have_no_time_limit(client):
    assert 'id="time-limit"' not in client.get("/login").get_data(as_text=True)


def test_continue_refreshes_the_idle_clock(client, enrolled, monkeypatch):
    token = csrf(client, "/account")
    later = time.time() + 1700  # 100 seconds before the idle end: the warning is showing
    monkeypatch.setattr(time, "time", lambda: later)
    answer = _keep_alive(client, token)
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["seconds_left"] == 1800
    assert _record(client).last_seen == later
    # The page still works after the original limit.
    after = later + 1000
    monkeypatch.setattr(time, "time", lambda: after)
    assert client.get("/account").status_code == 200


def test_continue_restarts_the_idle_clock_even_within_a_minute_of_the_last_refresh(client, enrolled, monkeypatch):
    """A page load refreshes the session at most once a minute; "continue" always does."""
    token = csrf(client, "/account")
    later = _record(client).last_seen + 30
    monkeypatch.setattr(time, "time", lambda: later)
    answer = _keep_alive(client, token)
    assert answer.get_json()["seconds_left"] == 1800
    assert _record(client).last_seen == later


def test_never_past_the_absolute_end(client, enrolled, monkeypatch):
    token = csrf(client, "/account")
    session = _record(client)
    near_end = session.expires - 100
    # Used every 25 minutes until near its absolute end (12 hours), then "continue".
    for moment in range(int(session.created) + 1500, int(near_end), 1500):
        monkeypatch.setattr(time, "time", lambda moment=moment: float(moment))
        assert client.get("/account").status_code == 200
    monkeypatch.setattr(time, "time", lambda: near_end)
    answer = _keep_alive(client, token)
    assert answer.status_code == 200
    assert answer.get_json()["seconds_left"] == 100


def test_without_the_csrf_token_nothing_is_refreshed(client, enrolled, monkeypatch):
    before = _record(client).last_seen
    later = time.time() + 1700
    monkeypatch.setattr(time, "time", lambda: later)
    for token in ("", "forged"):
        answer = _keep_alive(client, token)
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "invalid_csrf_token"
    monkeypatch.setattr(time, "time", lambda: later - 1700 + 1)
    assert _record(client).last_seen == before


def test_an_ended_session_is_refused_and_says_what_to_do(client, enrolled, monkeypatch):
    token = csrf(client, "/account")
    later = time.time() + 1801
    monkeypatch.setattr(time, "time", lambda: later)
    answer = _keep_alive(client, token)
    assert answer.status_code == 401
    assert answer.get_json() == {
        "error": "session_ended",
        "error_description": "Your session ended because there was no activity for a while. To go on, "
                             "sign in again with your passkey: you will come back to this page."}


def test_a_signed_out_browser_is_refused(client, enrolled):
    token = csrf(client, "/account")
    client.post("/logout", data={"csrf_token": token})
    assert _keep_alive(client, token).status_code == 401


def _kept_interaction(client) -> str:
    from idp.oidc.request import AuthorizationRequest

    store = get_store(client.application)
    names = [f for f in AuthorizationRequest.__dataclass_fields__]
    request = AuthorizationRequest(**{name: None for name in names})
    # Started in this browser: its binding cookie and the value's digest (`interaction_binding`).
    value = "b" * 43
    client.set_cookie(interaction_binding.COOKIE, value)
    browser = hashlib.sha256(value.encode()).hexdigest()
    return interactions.save(store, interactions.begin(request, browser=browser), ttl=900).id


def test_continue_on_an_agency_request_keeps_the_interaction(client, enrolled, monkeypatch):
    token = csrf(client, "/account")
    interaction = _kept_interaction(client)
    store = get_store(client.application)
    answer = _keep_alive(client, token, interaction=interaction)
    assert answer.status_code == 200
    assert answer.get_json()["seconds_left"] == 900  # [oidc] interaction_seconds
    assert interactions.load(store, interaction) is not None
    interactions.finish(store, interaction)  # answered meanwhile (or run out)
    gone = _keep_alive(client, token, interaction=interaction)
    assert gone.status_code == 410
    assert gone.get_json()["error"] == "interaction_gone"
    assert interactions.load(store, interaction) is None  # never brought back


def test_extend_refreshes_the_interactions_lifetime(client):
    store = get_store(client.application)
    interaction = _kept_interaction(client)
    assert interactions.extend(store, interaction, ttl=2000)
    assert not interactions.extend(store, "no-such-interaction", ttl=2000)
    assert not interactions.extend(store, None, ttl=2000)


def test_the_decision_page_keeps_its_interaction_on_continue(client, register, citizen):  # noqa: F811
    from tests.idp.oidc.conftest import Flow, authorize_url, decide, redirect_params

    agency = register()
    page = client.get(authorize_url(agency, Flow()))
    html = page.get_data(as_text=True)
    interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
    assert f'data-interaction="{interaction}"' in html
    assert 'data-seconds="900"' in html  # [oidc] interaction_seconds, just kept for all of it
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert _keep_alive(client, token, interaction=interaction).get_json()["seconds_left"] == 900
    assert redirect_params(decide(client, page), agency)["code"]  # the page still answers
    assert _keep_alive(client, token, interaction=interaction).status_code == 410


def test_the_wallet_page_does_not_send_its_own_interaction(client, monkeypatch):
    """Only an OpenID request's pages name an interaction to keep (the wallet's is another kind)."""
    from flask import render_template

    from idp.sessions import time_left

    monkeypatch.setattr(time_left, "current_seconds_left", lambda: 600)
    for path, sent in (("/wallet/authorize", ""), ("/authorize/continue", "an-interaction")):
        with client.application.test_request_context(path):
            html = render_template("_time_limit.html", interaction="an-interaction")
        assert f'data-interaction="{sent}"' in html, path


def test_the_seconds_left_are_rounded_up_so_the_page_never_ends_before_the_server(client, enrolled):
    """A page counts down the seconds it was given and then says the session ended; rounded down
    it said so up to a second early, and a form sent at once was still accepted (a flaky
    browser test, tests/browser/test_time_limits.py, on a loaded machine)."""
    from idp.sessions.time_left import seconds_left

    session = _record(client)
    with client.application.app_context():
        policy = session_policy()
    end = session.ends_at(policy)
    assert seconds_left(session, policy, end - 0.4) == 1
    assert seconds_left(session, policy, end - 1.0) == 1
    assert seconds_left(session, policy, end) == 0
    assert seconds_left(session, policy, end + 5) == 0
