"""A session that ends while a page that needs it is open: the form the citizen sends then
(an account action here, the consent form in tests/idp/consent) leads to the sign-in page, which says the session ended
and that after signing in they will continue where they were, in the page's language."""

from __future__ import annotations

import pytest

from infra.web.i18n import catalog
from tests.idp.conftest import csrf


def notice(app, lang: str) -> str:
    with app.app_context():
        text = catalog(app).get("login.session_ended", lang)
    assert text is not None
    return text


def login_page(client, location: str) -> str:
    assert location.startswith("/login?next="), location
    return client.get(location).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_account_action_after_the_session_ended_says_so_on_the_sign_in_page(client, enrolled, lang):
    client.set_cookie("lang", lang)
    token = csrf(client, "/account")
    end_session(client)  # the session ends (expired, or closed from another device)
    sent = client.post(f"/account/passkeys/{enrolled.key.credential_id_b64}/rename",
                       data={"csrf_token": token, "name": "Mi teléfono"})
    assert sent.status_code == 302
    page = login_page(client, sent.headers["Location"])
    assert 'id="session-ended"' in page and notice(client.application, lang) in page


def test_the_sign_in_page_opened_plainly_says_nothing_of_an_ended_session(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'id="session-ended"' not in page


def test_a_visit_without_a_session_is_not_told_one_ended(client):
    answer = client.get("/account/recovery-codes")
    assert answer.status_code == 302
    assert 'id="session-ended"' not in login_page(client, answer.headers["Location"])


def test_signing_out_is_not_told_the_session_ended(client, enrolled):
    token = csrf(client, "/account")
    client.post("/logout", data={"csrf_token": token})
    assert 'id="session-ended"' not in client.get("/login").get_data(as_text=True)


def end_session(client) -> None:
    """The client's session record gone from the store, as when it expires there."""
    from idp.sessions import records, session_policy
    from infra.store import get_store

    app = client.application
    token = client.get_cookie("cedula_session").value
    get_store(app).delete(records.RECORD + records.reference(session_policy(app), token))
