"""One copy of `forms.js` (infra/web/static), which sends a POST form once: the provider and the
demo agency portal (a Flask app of its own) each load it on every page and serve that same
file; they had a copy each (issue #15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import infra.web.assets
from clients.portal.app import create_portal
from clients.portal.config import PortalConfig

FORMS_JS = Path(infra.web.assets.__file__).with_name("static") / "forms.js"


@pytest.fixture
def portal():
    return create_portal(PortalConfig(name="Registro Civil", base_url="https://registro.example.gov",
                                      issuer="http://cedula.test", client_id="registro", client_secret="secret"))


def _script_of(page: str) -> str:
    found = re.search(r'<script[^>]* src="([^"]*forms\.js)"', page)
    assert found, "the page does not load forms.js"
    return found.group(1)


def test_the_provider_and_the_portal_serve_the_one_forms_js(client, portal):
    for app_client, page in ((client, "/login"), (portal.test_client(), "/")):
        src = _script_of(app_client.get(page).get_data(as_text=True))
        assert src == "/static/shared/forms.js"
        script = app_client.get(src)
        assert script.status_code == 200 and script.mimetype == "text/javascript"
        assert script.get_data() == FORMS_JS.read_bytes()
        assert "script-src 'self'" in app_client.get(page).headers["Content-Security-Policy"]


def test_each_apps_own_static_files_are_still_served(client, portal):
    assert client.get("/static/js/timezone.js").status_code == 200
    assert portal.test_client().get("/static/timezone.js").status_code == 200
    assert client.get("/static/shared/timezone.js").status_code == 404
