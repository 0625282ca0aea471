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


def test_a_bad_request_shows_no_technical_detail(client, register):
    """The detail (the protocol's words, in English) sat in the citizen's sentence: it goes to
    the log now (tests/idp/oidc/test_authorize_error_page.py), the page says what to do."""
    from tests.idp.oidc.conftest import Flow, authorize_url

    agency = register()
    page = client.get(authorize_url(agency, Flow(), client_id="nobody"),
                      headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Vuelva al sitio de la institución" in page
    assert not re.search(r"Detalle técnico|<span lang=\"en\">[^<]*nobody", page)


def test_a_decision_without_an_answer_says_which_buttons_to_use(oidc_app):
    texts = catalog(oidc_app)
    assert "«Continuar y compartir»" in texts.get("oidc.error.decision", "es")
    assert "“Continue and share”" in texts.get("oidc.error.decision", "en")
