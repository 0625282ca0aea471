"""The public transparency page under subtraction: with two agencies below the privacy floor,
the exact overall total minus the agencies shown gave their sum away, and at its extremes (0, or
2 x (floor - 1)) each of their counts (here 18 - 10 = 8 = 4 + 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from infra.db import get_db
from tests.idp.documents.conftest import register


def test_two_agencies_below_the_floor_cannot_be_recovered_from_the_overall_total(web, docs_app):
    from infra.indicators import tally

    now = datetime.now(UTC)
    for client_id, consents in (("agency-big", 10), ("agency-small-1", 4), ("agency-small-2", 4)):
        register(docs_app, client_id=client_id)
        with get_db(docs_app).transaction() as session:
            tally(session, "consent.given", agency=client_id, by=consents, now=now)
    html = web.get(f"/transparency?month={now:%Y-%m}").get_data(as_text=True)
    overall = re.search(r'<dl class="facts" id="overall">(.*?)</dl>', html, re.S).group(1)
    consents = re.findall(r"<dd>([^<]*)</dd>", overall)[0]
    assert consents != "18"
    assert consents == "≥ 10"
