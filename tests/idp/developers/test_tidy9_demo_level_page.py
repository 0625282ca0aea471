"""The guide's word on the demo civil registry's "Certified register data" page matches the demo:
that page steps up with `acr_values` on its own sign-in link (clients/portal: `/login?level=
substantial`) and the demo registers no `default_acr_values`. The guide said the page did what
the sentence before it described, registering `default_acr_values`, which the demo never did."""

from __future__ import annotations

import re
from pathlib import Path

from clients.registry.services import find_client
from idp.demo import register_demo_clients
from infra.db import get_db

ROOT = Path(__file__).resolve().parents[3]
PAGE = '"Certified register data" page'


def _what_the_guide_says_of_the_page(guide: str) -> str:
    """The guide's sentences from the one naming the demo's page to the end of its paragraph."""
    paragraph = next(p for p in guide.split("\n\n") if PAGE in p)
    return paragraph[paragraph.index(PAGE):]


def test_the_guide_tells_what_the_demos_level_page_does(fresh_app):
    guide = (ROOT / "docs" / "agencies.md").read_text(encoding="utf-8")
    assert guide == (ROOT / "idp" / "developers" / "agencies.md").read_text(encoding="utf-8")
    said = _what_the_guide_says_of_the_page(guide)
    # What the guide says the page sends, the demo portal's page sends.
    assert "`acr_values=http://eidas.europa.eu/LoA/substantial`" in said
    template = (ROOT / "clients" / "portal" / "templates" / "portal" / "level.html").read_text(encoding="utf-8")
    assert 'href="/login?level=substantial"' in template
    views = (ROOT / "clients" / "portal" / "views.py").read_text(encoding="utf-8")
    assert re.search(r'level"\) == "substantial":\n\s+extra\["acr_values"\] = ACR_SUBSTANTIAL', views)
    # And it registers no default level, as the guide says (not that the page uses one).
    assert "no `default_acr_values`" in said
    register_demo_clients(fresh_app)
    with get_db(fresh_app).read() as session:
        assert "default_acr_values" not in find_client(session, "registro-civil").client_metadata
