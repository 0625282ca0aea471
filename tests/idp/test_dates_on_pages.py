"""Dates and times on the citizen's pages: CLDR, in the page's language and the citizen's zone."""

from __future__ import annotations

import re
from pathlib import Path

from tests.idp.conftest import enrol


def _account(client) -> str:
    response = client.get("/account/details")  # personal data
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _times(html: str) -> list[str]:
    return re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)


def test_the_birthdate_reads_as_a_date_in_the_pages_language_not_iso(client):
    enrol(client)
    html = _account(client)
    assert ">17 de mayo de 1990</time>" in html
    assert ">1990-05-17<" not in html
    client.set_cookie("lang", "en")
    assert ">May 17, 1990</time>" in _account(client)


def test_times_are_in_the_citizens_zone_once_the_browser_has_told_it(client):
    enrol(client)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert '<script type="module" src="/static/js/timezone.js"></script>' in html
    moments = _times(html)  # when this session signed in and was last seen
    assert moments and all(t.endswith("(GMT-06:00)") for t in moments), moments  # the setting's zone
    assert " UTC" not in html
    client.set_cookie("tz", "Asia/Tokyo")
    moments = _times(client.get("/account/sessions").get_data(as_text=True))
    assert moments and not any("GMT" in t for t in moments), moments


# <time datetime>, <input type="date" value/min/max>: ISO 8601 for machines, not text to read.
MACHINE_ATTRIBUTE = re.compile(r'\b(?:datetime|value|min|max)="\{\{[^}]*\}\}"')


def test_no_template_writes_a_date_by_hand():
    """Every visible date goes through |date, |datetime or |month (CLDR, the citizen's zone)."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for package in ("idp", "signing"):
        for template in sorted((root / package).rglob("*.html")):
            for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
                visible = MACHINE_ATTRIBUTE.sub("", line)
                if "strftime(" in visible or "isoformat(" in visible or re.search(r"\bUTC</", visible):
                    found.append(f"{template.relative_to(root)}:{number}")
    assert found == []
