"""The account's sessions page: each session's device, times and agencies; ending any of them."""

from __future__ import annotations

import re

import pytest

from idp.logout.devices import Device, describe
from tests.idp.conftest import sign_in
from tests.idp.oidc.conftest import tokens_for

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("agent", "expected"), [
    (FIREFOX_WINDOWS, Device("Firefox", "Windows")),
    (SAFARI_IPHONE, Device("Safari", "iPhone")),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
     Device("Chrome", "Linux")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0 Safari/537.36 Edg/126.0", Device("Edge", "Windows")),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0 Mobile Safari/537.36", Device("Chrome", "Android")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", Device("Safari", "macOS")),
    ("curl/8.5.0", Device(None, None)),
    ("", Device(None, None)),
])
def test_devices_in_plain_words(agent, expected):
    assert describe(agent) == expected


def page(client) -> str:
    response = client.get("/account/sessions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="session card" data-sid="([^"]+)"(.*?)</li>', html, re.S))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def two_browsers(fresh_app, citizen, register):
    """The citizen in the test client (Firefox on Windows, at one agency) and on a phone."""
    from flask.testing import FlaskClient

    first: FlaskClient = fresh_app.test_client()
    phone: FlaskClient = fresh_app.test_client()
    first.environ_base["HTTP_USER_AGENT"] = FIREFOX_WINDOWS
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    assert sign_in(first, citizen.key).status_code == 200
    assert sign_in(phone, citizen.key).status_code == 200
    tokens_for(first, register(client_name="Registro Civil"))
    tokens_for(first, register(client_name="Hacienda"))
    return first, phone


def test_the_page_lists_every_session_with_device_times_and_agencies(two_browsers):
    first, _phone = two_browsers
    html = page(first)
    found = cards(html)
    assert len(found) == 3  # the enrolment browser too
    this = [body for body in found.values() if 'data-this-device="true"' in body]
    assert len(this) == 1
    assert "Firefox en Windows" in this[0]
    assert "Registro Civil, Hacienda" in this[0] or "Hacienda, Registro Civil" in this[0]
    phone_card = next(body for body in found.values() if "Safari en iPhone" in body)
    assert "Ninguna todavía" in phone_card
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', phone_card)
    assert html.index("Firefox en Windows") < html.index("Safari en iPhone")  # this device first


def test_ending_another_session_signs_that_browser_out(two_browsers):
    first, phone = two_browsers
    html = page(first)
    phone_sid = next(sid for sid, body in cards(html).items() if "Safari en iPhone" in body)
    response = first.post(f"/account/sessions/{phone_sid}/end", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 303 and response.headers["Location"] == "/account/sessions?done=ended"
    assert phone.get("/account").status_code == 302
    assert first.get("/account").status_code == 200
    assert phone_sid not in cards(page(first))


def test_ending_this_session_signs_out(two_browsers):
    first, _phone = two_browsers
    html = page(first)
    this_sid = next(sid for sid, body in cards(html).items() if 'data-this-device="true"' in body)
    response = first.post(f"/account/sessions/{this_sid}/end", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/signed-out?r=")
    assert first.get("/account").status_code == 302


def test_a_session_of_someone_else_or_gone_is_not_found(two_browsers):
    first, _phone = two_browsers
    html = page(first)
    response = first.post("/account/sessions/not-a-session/end", data={"csrf_token": csrf_of(html)})
    assert response.headers["Location"] == "/account/sessions?error=not_found"
    assert "Esa sesión ya estaba cerrada" in first.get(response.headers["Location"]).get_data(as_text=True)


def test_ending_a_session_needs_the_csrf_token(two_browsers):
    first, phone = two_browsers
    phone_sid = next(sid for sid, body in cards(page(first)).items() if "Safari en iPhone" in body)
    assert first.post(f"/account/sessions/{phone_sid}/end", data={}).status_code == 400
    assert phone.get("/account").status_code == 200


def test_the_page_needs_a_signed_in_citizen(client):
    response = client.get("/account/sessions")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/account/sessions"


def test_the_account_overview_links_to_the_sessions(client, citizen):
    assert 'href="/account/sessions"' in client.get("/account").get_data(as_text=True)
