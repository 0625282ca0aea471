"""The operator audit trail when it is big: every entry reachable from the page (older entries
page by page) and in the export, and its filters under hostile input."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.idp.operator.conftest import pages_from


def _fill(app, count: int, *, action: str = "bulk.entry") -> None:
    """`count` entries older than the test's own, written in one statement."""
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"at": start + timedelta(seconds=n), "actor": "operator:bulk", "service_point": None,
             "action": action, "citizen_id": None, "details": {"n": n}} for n in range(count)]
    with get_db(app).transaction() as session:
        session.execute(sa.insert(RegistrarAuditEntry), rows)


def _older_link(html: str) -> str | None:
    found = re.search(r'<a href="(/operator/audit\?[^"]*)"[^>]*id="audit-older"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_every_entry_is_reachable_page_by_page(client, oidc_app, operator):
    """An operator investigating last month's actions could see only the newest 100 entries:
    the page had no way to older ones."""
    _fill(oidc_app, 230)
    pages = pages_from(client, "/operator/audit?action=bulk", _older_link, most=3)
    seen = [n for html in pages for n in re.findall(r"n: (\d+)</td>", html)]
    assert sorted(map(int, seen)) == list(range(230))
    assert len(pages) == 3


def test_the_newest_page_has_no_link_when_everything_fits(client, oidc_app, operator):
    _fill(oidc_app, 3)
    html = client.get("/operator/audit?action=bulk").get_data(as_text=True)
    assert _older_link(html) is None
    assert len(re.findall(r"n: (\d+)</td>", html)) == 3


@pytest.mark.parametrize("before", ["x", "-1", "1e9", "99999999999999999999999", "%00", "%D9%A3"])
def test_a_hostile_page_mark_is_the_first_page_or_a_400(client, operator, before):
    response = client.get(f"/operator/audit?before={before}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("field", ["actor", "action", "citizen"])
@pytest.mark.parametrize("value", ["%00", "%25", "_", "%5C", "%27%20OR%201%3D1%20--", "%ED%A0%80", "%FF",
                                   "a" * 5000, "%E2%80%AE"])
def test_hostile_filters_are_a_page_not_a_500(client, operator, field, value):
    """Percent-encoded as sent: a NUL, LIKE's wildcards and escape, SQL, a lone surrogate's
    UTF-8 bytes, a byte that is not UTF-8, a long value, a right-to-left override."""
    for path in ("/operator/audit", "/operator/audit/export"):
        response = client.get(f"{path}?{field}={value}&before={value}")
        assert response.status_code in (200, 400), (path, response.status_code)


def test_the_export_holds_every_entry(client, oidc_app, operator):
    """The page says the export holds every matching entry; past 50,000 it dropped the oldest
    without a word."""
    _fill(oidc_app, 50_010)
    exported = client.get("/operator/audit/export?format=csv&action=bulk")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == 50_010
    assert rows[-1]["details"] == '{"n": 0}'
