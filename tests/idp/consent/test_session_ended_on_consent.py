"""The consent page open when the session ends: pressing "Permitir" leads to the sign-in page,
which says the session ended and that after signing in they will continue where they were
(back to the consent page), in the page's language."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, decide
from tests.idp.sessions.test_session_ended_notice import end_session, login_page, notice


@pytest.mark.parametrize("lang", ["es", "en"])
def test_allowing_on_the_consent_page_after_the_session_ended_says_so_and_comes_back(client, register,
                                                                                      citizen, lang):
    client.set_cookie("lang", lang)
    agency = register()
    shown = client.get(authorize_url(agency, Flow()))
    end_session(client)  # the authorization request stays in the store
    answer = decide(client, shown, "allow")
    assert answer.status_code == 303
    onwards = client.get(answer.headers["Location"])
    assert onwards.headers["Location"].startswith("/login?next=/authorize/continue")
    page = login_page(client, onwards.headers["Location"])
    assert 'id="session-ended"' in page and notice(client.application, lang) in page


