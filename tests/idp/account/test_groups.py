"""The account's groups (issue 19): one navigation on every group page, each group its own page,
the old addresses still working."""

from __future__ import annotations

import re

import pytest

from tests.idp.conftest import enrol

GROUPS = {"security": "/account", "details": "/account/details", "agencies": "/account/agencies",
          "documents": "/account/documents", "close": "/account/close"}


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="account-nav" id="account-nav" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert found, "no account navigation"
    return found.group(1)


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_group_page_has_the_one_navigation_with_its_place_marked(client, group):
    enrol(client)
    response = client.get(GROUPS[group])
    assert response.status_code == 200
    nav = nav_of(response.get_data(as_text=True))
    links = re.findall(r'<a href="([^"]+)" data-group="([^"]+)"', nav)
    assert links == [(path, name) for name, path in GROUPS.items()]
    assert nav.count("aria-current") == 1
    assert f'href="{GROUPS[group]}" data-group="{group}" aria-current="page"' in nav


@pytest.mark.parametrize(("path", "group"), [("/account/log", "agencies"),
                                             ("/account/sessions", "security")])
def test_a_sub_page_marks_its_group(client, path, group):
    enrol(client)
    nav = nav_of(client.get(path).get_data(as_text=True))
    assert f'data-group="{group}" aria-current="true"' in nav


def test_the_navigation_speaks_english_too(client):
    enrol(client)
    nav = nav_of(client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True))
    for label in ("Sign-in and security", "Your personal details", "Agencies and data sharing",
                  "Your documents", "Close your account"):
        assert label in nav


def test_personal_details_page(client):
    enrolled = enrol(client)
    html = client.get("/account/details", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ana María López Pérez" in html and enrolled.national_id in html
    assert "ana@example.sv" in html and ">May 17, 1990</time>" in html
    assert 'id="assurance-link"' in html and 'id="export-link" href="/account/export"' in html


def test_security_page_keeps_what_browsers_rely_on(client):
    enrol(client)
    html = client.get("/account").get_data(as_text=True)
    for marker in ('id="citizen-name"', '<ul id="passkeys"', 'id="add-passkey"', 'id="codes-left"',
                   'id="sessions-link"', '<form id="sign-out-form" method="post" action="/logout">',
                   'id="history-title"'):
        assert marker in html


def test_group_pages_need_a_signed_in_citizen(client):
    for path in GROUPS.values():
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
