"""The privacy notice names every cookie the service sets, the time-zone one included."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("lang", "names"), [
    ("es", ("sesión", "protección de formularios", "idioma", "zona horaria")),
    ("en", ("session", "form protection", "language", "time zone")),
])
def test_the_privacy_notice_lists_the_cookies(client, lang, names):
    client.set_cookie("lang", lang)
    html = client.get("/privacy").get_data(as_text=True)
    section = html[html.index("<h2>Cookies</h2>"):]
    assert all(name in section for name in names), section[:600]
