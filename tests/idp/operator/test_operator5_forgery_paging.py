"""Console: the forgery reports page shows a page at a time and links to older reports, so that
every report is reachable however many arrive (before, only the newest 200 were ever shown)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from infra.db import get_db
from tests.idp.operator.conftest import pages_from

CODE = "7KQ4-M2XH-9PRT-WC3N-B8DA"


def _reports(app, count: int) -> list[str]:
    """`count` reports, two at a time sharing their received time; references newest first."""
    from signing.models import ForgeryReport

    start = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    with app.app_context(), get_db(app).transaction() as session:
        for n in range(count):
            reference = f"OP5{n:05d}"
            session.add(ForgeryReport(id=reference, code=CODE, where_found=f"sitio {n}", contact=None,
                                      language="es", created_at=start + timedelta(hours=n // 2)))
            made.append((start + timedelta(hours=n // 2), reference))
    return [reference for _, reference in sorted(made, reverse=True)]


def _shown(html: str) -> list[str]:
    return re.findall(r"<code>(OP5\d{5})</code>", html)


def _older(html: str) -> str | None:
    found = re.search(r'<a href="(/operator/forgery-reports\?[^"]*)" id="forgery-reports-older"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_every_report_is_reachable_page_by_page(client, oidc_app, operator, monkeypatch):
    from idp.operator import forgery_reports

    monkeypatch.setattr(forgery_reports, "PAGE", 3)
    expected = _reports(oidc_app, 8)
    pages = pages_from(client, "/operator/forgery-reports", _older, most=3)
    assert all(len(_shown(html)) <= 3 for html in pages)
    for html in pages[1:]:
        assert 'id="forgery-reports-newest"' in html and "anteriores a los de la página previa" in html
    assert [reference for html in pages for reference in _shown(html)] == expected and len(pages) == 3


@pytest.mark.parametrize("mark", ["nope", "x" * 40, "<script>"])
def test_a_hand_edited_mark_shows_the_newest_page(client, oidc_app, operator, monkeypatch, mark):
    from idp.operator import forgery_reports

    monkeypatch.setattr(forgery_reports, "PAGE", 3)
    expected = _reports(oidc_app, 4)
    response = client.get(f"/operator/forgery-reports?before={mark}")
    assert response.status_code == 200
    assert _shown(response.get_data(as_text=True)) == expected[:3]
