"""The registrar's console refuses a signed-in citizen without the role with a 403 page that
says what to do instead: a citizen goes to their own account page (linked), staff sign in
again with their staff passkey. In both languages."""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.support.catalog_text import said


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_staff_only_page_says_what_a_citizen_and_staff_should_do(client, enrolled, lang):
    client.set_cookie("lang", lang)
    page = client.get("/registrar")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert said(client.application, "registrar.denied.role", lang) in html
    assert 'id="own-account" href="/account"' in html
    for key in ("registrar.denied.next.citizen", "registrar.denied.next.staff"):
        assert str(escape(said(client.application, key, lang))) in html
