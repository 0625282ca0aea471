"""The demo portal's error page is titled as an error first (WCAG 2.4.2), in either language."""

from __future__ import annotations

import pytest

from tests.clients.portal.test_pages import portal  # noqa: F401 - the fixture


@pytest.mark.parametrize(("lang", "title"), [
    ("es", "<title>Error: No pudimos completar la entrada · Registro Civil</title>"),
    ("en", "<title>Error: We could not complete the sign-in · Registro Civil</title>")])
def test_a_failed_sign_in_is_titled_as_an_error(portal, lang, title):  # noqa: F811
    response = portal.test_client().get("/callback?code=abc&state=not-ours", headers={"Accept-Language": lang})
    assert response.status_code == 400
    assert title in response.get_data(as_text=True)
