"""Ending a session (from the citizen's sessions page, or signing out) ends the tokens that
depend on it, and only those (OIDC Core 1.0 section 11; node oidc-provider and Keycloak do the
same: "online" tokens end with the session, offline ones do not).

Cédula issues a refresh token only with `offline_access` (a grant without it gets none, even
for an agency registered for the refresh_token grant), so no refresh token is tied to a
session: a grant without offline access lives on access tokens, refused once its session ends;
a refresh token is the offline access the citizen allowed, which outlives the session by design
and ends when the citizen withdraws it (`idp.oidc.standing`). Review 6 checked the claim that a
session's refresh tokens stay usable after it ends: they are all offline ones."""

from __future__ import annotations

import pytest

from tests.idp.conftest import sign_in
from tests.idp.logout.test_sessions_page import cards, csrf_of, page
from tests.idp.oidc.conftest import bearer, token_request, tokens_for
from tests.idp.oidc.test_resources import introspect


@pytest.fixture
def phone(fresh_app, citizen):
    """The citizen signed in on a second browser, besides the test client (the first)."""
    browser = fresh_app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone) Version/17.5 Mobile/15E148 Safari/604.1"
    assert sign_in(browser, citizen.key).status_code == 200
    return browser


def _end_from_the_first_browser(client) -> None:
    html = page(client)
    phone_sid = next(sid for sid, body in cards(html).items() if 'data-this-device="true"' not in body)
    ended = client.post(f"/account/sessions/{phone_sid}/end", data={"csrf_token": csrf_of(html)})
    assert ended.status_code == 303


def _agency(register):
    return register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")


def test_a_grant_without_offline_access_has_no_refresh_token_and_ends_with_its_session(client, register,
                                                                                          citizen, phone):
    agency = _agency(register)
    body = tokens_for(phone, agency, scope="openid profile")
    assert "refresh_token" not in body
    assert phone.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    _end_from_the_first_browser(client)
    refused = phone.get("/userinfo", headers=bearer(body["access_token"]))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"
    assert introspect(client, agency, body["access_token"]) == {"active": False}


def test_offline_access_outlives_the_session_it_was_given_in(client, register, citizen, phone):
    agency = _agency(register)
    body = tokens_for(phone, agency, scope="openid offline_access", prompt="consent")
    _end_from_the_first_browser(client)
    refreshed = token_request(phone, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    assert client.get("/userinfo", headers=bearer(refreshed.get_json()["access_token"])).status_code == 200
