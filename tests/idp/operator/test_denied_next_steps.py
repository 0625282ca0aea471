"""The operator console refuses a signed-in citizen without the role with a 403 page that says
what to do instead: a citizen goes to their own account page (linked), an operator signs in
again with their operator passkey. In both languages, on every console page."""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.idp.conftest import enrol
from tests.support.catalog_text import said


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("page", ["/operator", "/operator/agencies"])
def test_the_console_refusal_says_what_a_citizen_and_an_operator_should_do(client, oidc_app, lang, page):
    enrol(client)
    client.set_cookie("lang", lang)
    response = client.get(page)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert str(escape(said(oidc_app, "operator.denied.role", lang))) in html
    assert 'id="own-account" href="/account"' in html
    for key in ("operator.denied.next.citizen", "operator.denied.next.operator"):
        assert str(escape(said(oidc_app, key, lang))) in html
