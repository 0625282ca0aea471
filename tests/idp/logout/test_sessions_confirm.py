"""Ending sessions is confirmed first: a page says what happens; only its POST (with CSRF) ends."""

from __future__ import annotations

import pytest

from tests.idp.conftest import sign_in
from tests.idp.logout.test_sessions_page import FIREFOX_WINDOWS, SAFARI_IPHONE, cards, csrf_of, page
from tests.idp.oidc.conftest import tokens_for


@pytest.fixture
def two_browsers(fresh_app, citizen, register):
    """The citizen on Firefox on Windows (at an agency) and on Safari on an iPhone."""
    first, phone = fresh_app.test_client(), fresh_app.test_client()
    first.environ_base["HTTP_USER_AGENT"] = FIREFOX_WINDOWS
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    assert sign_in(first, citizen.key).status_code == 200
    assert sign_in(phone, citizen.key).status_code == 200
    tokens_for(first, register(client_name="Registro Civil"))
    return first, phone


def _phone_sid(first) -> str:
    return next(sid for sid, body in cards(page(first)).items() if "Safari en iPhone" in body)


def test_ending_another_session_asks_first_and_changes_nothing(two_browsers):
    first, phone = two_browsers
    html = page(first)
    sid = _phone_sid(first)
    assert f'method="get" action="/account/sessions/{sid}/end"' in html
    confirm = first.get(f"/account/sessions/{sid}/end")
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and confirm.headers["Cache-Control"] == "no-store"
    assert "¿Cerrar la sesión en Safari en iPhone?" in body
    assert f'<form id="confirm-form" method="post" action="/account/sessions/{sid}/end">' in body
    assert 'name="csrf_token"' in body and 'id="confirm-instead"' in body
    assert 'href="/account/sessions"' in body and "confirm(" not in body
    assert phone.get("/account").status_code == 200  # nothing ended yet
    assert first.post(f"/account/sessions/{sid}/end", data={}).status_code == 400
    assert phone.get("/account").status_code == 200
    done = first.post(f"/account/sessions/{sid}/end", data={"csrf_token": csrf_of(body)})
    assert done.headers["Location"] == "/account/sessions?done=ended"
    assert phone.get("/account").status_code == 302


def test_ending_all_other_sessions(two_browsers):
    first, phone = two_browsers
    html = page(first)
    assert 'id="end-others" method="get" action="/account/sessions/end-others"' in html
    confirm = first.get("/account/sessions/end-others", headers={"Accept-Language": "en"})
    body = confirm.get_data(as_text=True)
    assert "End all your other sessions?" in body and "(sessions: 2)" in body
    assert "You stay signed in on this browser." in body
    assert phone.get("/account").status_code == 200
    assert first.post("/account/sessions/end-others", data={}).status_code == 400
    done = first.post("/account/sessions/end-others", data={"csrf_token": csrf_of(body)})
    assert done.headers["Location"] == "/account/sessions?done=ended_others"
    assert phone.get("/account").status_code == 302
    assert first.get("/account").status_code == 200
    assert len(cards(page(first))) == 1
    # Nothing left to end: the confirmation goes back to the list.
    assert first.get("/account/sessions/end-others").headers["Location"] == "/account/sessions"


def test_a_gone_session_is_not_confirmed(two_browsers):
    first, _phone = two_browsers
    response = first.get("/account/sessions/not-a-session/end")
    assert response.status_code == 303 and response.headers["Location"] == "/account/sessions?error=not_found"


def test_the_sessions_page_is_in_the_security_group(two_browsers):
    first, _phone = two_browsers
    html = page(first)
    assert 'id="account-nav"' in html
    assert 'href="/account" data-group="security" aria-current="true"' in html
