"""A refused passkey name: the page says what is wrong at that passkey's field and keeps what
the citizen typed there (after a redirect the field showed the old name again, as if the rename
had been lost, and the citizen had to guess what they had typed)."""

from __future__ import annotations

import re

from tests.idp.account.test_pages import add_passkey, html
from tests.idp.conftest import csrf
from tests.support.authenticator import SoftwareAuthenticator


def field_value(page: str, index: int) -> str:
    return re.search(rf'<input id="rename-{index}" name="name"[^>]*value="([^"]*)"', page).group(1)


def test_the_refused_name_stays_in_its_field_with_the_error(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    token = csrf(client, "/account")
    typed = "Mi teléfono nuevo " + "x" * 60
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/rename",
                           data={"csrf_token": token, "name": typed}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    page = html(response)
    assert field_value(page, 2) == typed  # what the citizen typed, to shorten
    assert field_value(page, 1) != typed  # the other passkey's field keeps its name
    assert 'href="#rename-2"' in page and 'aria-invalid="true"' in page
    assert typed not in response.headers.get("Location", "")


def test_a_good_name_is_shown_at_once_after_the_redirect(client, enrolled):
    token = csrf(client, "/account")
    response = client.post(f"/account/passkeys/{enrolled.key.credential_id_b64}/rename",
                           data={"csrf_token": token, "name": "Portátil"})
    assert response.status_code == 303
    page = html(client.get(response.headers["Location"]))
    assert '<span class="passkey-name">Portátil</span>' in page and field_value(page, 1) == "Portátil"
