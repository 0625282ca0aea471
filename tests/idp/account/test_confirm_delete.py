"""Deleting a passkey is confirmed first: the page says what happens and what to do instead;
only its POST (CSRF, and the fresh passkey check of idp.account.reauth) deletes."""

from __future__ import annotations

import re

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.idp.conftest import age_session, csrf, post_json, recheck, registration_options
from tests.support.authenticator import SoftwareAuthenticator


def add_passkey(client, key: SoftwareAuthenticator) -> None:
    response = post_json(client, "/webauthn/registration/verify", key.register(registration_options(client, {})))
    assert response.status_code == 200, response.get_json()


def count(client) -> int:
    with get_db(client.application).read() as db:
        return db.query(Passkey).count()


def test_get_shows_the_confirmation_and_deletes_nothing(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    html = client.get("/account").get_data(as_text=True)
    action = f"/account/passkeys/{second.credential_id_b64}/delete"
    assert f'<form class="delete-passkey inline-form" method="get" action="{action}">' in html
    page = client.get(f"/account/passkeys/{second.credential_id_b64}/delete", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Delete the passkey" in body and "This cannot be undone." in body
    assert 'id="confirm-instead"' in body and "rename it" in body
    assert f'<form id="confirm-form" method="post" action="{action}">' in body
    assert 'name="csrf_token"' in body and 'id="confirm-cancel" class="button" href="/account"' in body
    # The confirmation is this page, not a script's confirm(): no script of its own in the page
    # (the time-limit warning's module, js/time-limit.js, is every signed-in page's).
    content = body.split("</main>")[0].split("<main")[-1]
    assert "confirm(" not in body
    assert re.findall(r"<script[^>]*>", content) in ([], ['<script type="module" src="/static/js/time-limit.js">'])
    assert count(client) == 2


def test_post_without_csrf_is_refused_and_deletes_nothing(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/delete", data={})
    assert response.status_code == 400
    assert count(client) == 2


def test_the_confirmed_post_deletes(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    body = client.get(f"/account/passkeys/{second.credential_id_b64}/delete").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    done = client.post(f"/account/passkeys/{second.credential_id_b64}/delete", data={"csrf_token": token})
    assert done.headers["Location"] == "/account?done=deleted"
    assert count(client) == 1


def test_the_reauth_rule_still_applies_after_confirming(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    age_session(client, 3600)
    token = csrf(client, f"/account/passkeys/{second.credential_id_b64}/delete")
    asked = client.post(f"/account/passkeys/{second.credential_id_b64}/delete", data={"csrf_token": token})
    assert asked.status_code == 200 and 'id="recheck-resubmit"' in asked.get_data(as_text=True)
    assert count(client) == 2
    assert recheck(client, enrolled.key).status_code == 200
    done = client.post(f"/account/passkeys/{second.credential_id_b64}/delete", data={"csrf_token": token})
    assert done.headers["Location"] == "/account?done=deleted"


def test_no_confirmation_for_the_last_passkey_or_someone_elses(client, enrolled):
    assert client.get(f"/account/passkeys/{enrolled.key.credential_id_b64}/delete").headers["Location"] \
        == "/account?error=last_passkey"
    assert client.get("/account/passkeys/AAAA/delete").headers["Location"] == "/account?error=not_found"
    assert client.get("/account/passkeys/***/delete").headers["Location"] == "/account?error=not_found"
    assert count(client) == 1
