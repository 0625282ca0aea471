"""The public transparency page: its figures are numbers written in the page's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.idp.documents.conftest import register
from tests.signing.conftest import AGENCY


@pytest.mark.parametrize(("lang", "written"), [("es", "12.345"), ("en", "12,345")])
def test_the_figures_are_numbers_in_the_page_language(web, docs_app, lang, written):
    from infra.db import get_db
    from infra.indicators import tally

    register(docs_app, client_id=AGENCY, scope="openid profile documents:issue")
    now = datetime.now(UTC)
    with get_db(docs_app).transaction() as session:
        tally(session, "consent.given", agency=AGENCY, by=12_345, now=now)
        tally(session, "consent.data", agency=AGENCY, dimension="email", by=12_345, now=now)
    html = web.get(f"/transparency?month={now:%Y-%m}", headers={"Accept-Language": lang}).get_data(as_text=True)
    overall = re.search(r'<dl class="facts" id="overall">(.*?)</dl>', html, re.S).group(1)
    assert re.findall(r"<dd>([^<]*)</dd>", overall)[0] == written
    row = re.search(rf'<tr data-agency="{AGENCY}">(.*?)</tr>', html, re.S).group(1)
    assert f'<td class="num">{written}</td>' in row and f": {written}</li>" in row


def test_a_total_with_one_agency_hidden_is_a_number_in_the_page_language(web, docs_app):
    """"≥ 12.345": the lower bound shown when one agency is below the floor is a number too."""
    from infra.db import get_db
    from infra.indicators import tally
    from tests.signing.conftest import OTHER_AGENCY

    register(docs_app, client_id=AGENCY, scope="openid profile documents:issue")
    register(docs_app, client_id=OTHER_AGENCY, scope="openid profile documents:issue")
    now = datetime.now(UTC)
    with get_db(docs_app).transaction() as session:
        tally(session, "consent.given", agency=AGENCY, by=12_345, now=now)
        tally(session, "consent.given", agency=OTHER_AGENCY, by=1, now=now)
    html = web.get(f"/transparency?month={now:%Y-%m}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    overall = re.search(r'<dl class="facts" id="overall">(.*?)</dl>', html, re.S).group(1)
    assert re.findall(r"<dd>([^<]*)</dd>", overall)[0] == "≥ 12.345"
