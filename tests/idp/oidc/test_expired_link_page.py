"""An expired sign-in link (an old tab, the back button, a bookmark of the consent page) is the
citizen's most common dead end. Its page said that the agency sent a request Cédula cannot
answer, with the actual reason tucked in as a "technical detail": now it says what happened
and what to do, and nothing else."""

from __future__ import annotations

import re

import pytest

from infra.web.i18n import catalog


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_expired_sign_in_link_says_what_happened_and_what_to_do(client, oidc_app, lang):
    response = client.get("/authorize/continue?interaction=no-such-interaction", headers={"Accept-Language": lang})
    page = response.get_data(as_text=True).replace("&#39;", "'")
    texts = catalog(oidc_app)
    assert response.status_code == 400
    assert texts.get("oidc.error.expired", lang) in page
    unsafe_start = texts.get("oidc.error.unsafe", lang).split("{detail}")[0][:60]
    assert unsafe_start not in page


def test_the_technical_detail_of_a_bad_request_is_marked_as_english(client, register):
    """The detail (the protocol's words, in English) sat in a Spanish sentence with nothing
    saying its language: a screen reader read it with a Spanish voice (WCAG 3.1.2)."""
    from tests.idp.oidc.conftest import Flow, authorize_url

    agency = register()
    page = client.get(authorize_url(agency, Flow(), client_id="nobody"),
                      headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert re.search(r'Detalle técnico: <span lang="en">[^<]*nobody[^<]*</span>', page)


def test_a_decision_without_an_answer_says_which_buttons_to_use(oidc_app):
    texts = catalog(oidc_app)
    assert "«Continuar y compartir»" in texts.get("oidc.error.decision", "es")
    assert "“Continue and share”" in texts.get("oidc.error.decision", "en")
