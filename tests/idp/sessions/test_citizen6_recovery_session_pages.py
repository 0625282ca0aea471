"""A citizen signed in with a recovery code (who may only add a passkey) who opens another page
of the account (a bookmark, the back button, a link in an e-mail) was sent to the sign-in page,
which said nothing of why and offered «Entrar con llave de acceso», which they lost, and
«usar un código de recuperación», which spends another code. They now come back to the
account page, which says to add a new passkey first."""

from __future__ import annotations

import pytest

from tests.idp.conftest import recover

SAYS = {"es": "cree una llave de acceso nueva", "en": "create a new passkey"}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path", ["/account/close", "/account/agencies", "/account/sign"])
def test_a_page_a_recovery_session_may_not_open_sends_it_back_to_add_a_passkey(client, enrolled, lang, path):
    browser = recover(client.application, enrolled.national_id, enrolled.codes[0])
    browser.set_cookie("lang", lang)
    response = browser.get(path)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/account?error=recovery_first"
    page = browser.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    summary = html[html.index('id="account-error"'):html.index("</div>", html.index('id="account-error"'))]
    assert SAYS[lang] in summary and 'href="#add-passkey"' in summary
    assert 'id="add-passkey"' in html
    # Without any session, the page still asks to sign in.
    assert client.application.test_client().get(path).headers["Location"].startswith("/login?next=")
