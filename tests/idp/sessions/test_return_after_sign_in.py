"""A form sent after the session ended leads to the sign-in page, and after signing in back to
the page the form was sent from (not always the account page): the page the browser names in
its Referer when it is one of this site's own pages, else the nearest page of the site at or
above the form's address. Never another site (an open redirect), however the address is written."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.conftest import csrf
from tests.idp.sessions.test_session_ended_notice import end_session


def _next(location: str) -> str:
    parts = urlsplit(location)
    assert parts.path == "/login" and not parts.netloc, location
    return parse_qs(parts.query)["next"][0]


def _ended(client) -> str:
    token = csrf(client, "/account")
    end_session(client)
    return token


def test_a_passkey_removal_sent_after_the_session_ended_comes_back_to_its_page(client, enrolled):
    token = _ended(client)
    page = f"/account/passkeys/{enrolled.key.credential_id_b64}/delete"
    sent = client.post(page, data={"csrf_token": token})
    assert sent.status_code == 302
    assert _next(sent.headers["Location"]) == page
    # the sign-in page carries it on
    assert f'data-next="{page}"' in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_passkey_rename_comes_back_to_the_passkeys_on_the_account_page(client, enrolled):
    token = _ended(client)
    sent = client.post(f"/account/passkeys/{enrolled.key.credential_id_b64}/rename",
                       data={"csrf_token": token, "name": "Mi teléfono"})
    assert _next(sent.headers["Location"]) == "/account"


def test_the_referer_page_of_this_site_is_come_back_to_with_its_query(client, enrolled):
    token = _ended(client)
    origin = "/account/agencies/revoke?client_id=abc"
    sent = client.post("/account/agencies/revoke", data={"csrf_token": token, "client_id": "abc"},
                       headers={"Referer": "http://localhost" + origin})
    assert _next(sent.headers["Location"]) == origin


@pytest.mark.parametrize("referer", [
    "https://evil.example/account/details",
    "http://evil.example/account/details",
    "//evil.example",
    "https:evil",
    "/\\evil",
    "http://localhost//evil.example",
    "http://localhost/\\evil",
    "http://localhost/%2F%2Fevil.example",
    "http://localhost/%5Cevil",
    "http://localhost/%09/evil.example",
    "http://localhost/\t/evil.example",
    "http://localhost@evil.example/account",
    "http://localhost/login?next=//evil.example",
])
def test_a_referer_elsewhere_is_never_followed(client, enrolled, referer):
    token = _ended(client)
    page = f"/account/passkeys/{enrolled.key.credential_id_b64}/delete"
    sent = client.post(page, data={"csrf_token": token}, headers={"Referer": referer})
    target = _next(sent.headers["Location"])
    assert target == page
    # and the sign-in page sends nowhere else either
    assert "evil" not in client.get(sent.headers["Location"]).get_data(as_text=True)

