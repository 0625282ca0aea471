"""The public transparency page under hostile use: a month at the edge of the calendar, and
subtraction of the figures it shows to recover a count below the privacy floor."""

from __future__ import annotations

import re

from tests.idp.indicators.test_known_activity import M_A, M_B, activity, activity_month_page  # noqa: F401 - fixture


def test_the_first_month_of_the_calendar_is_not_a_server_error(web):
    """Attack: ?month=0001-01; the link to the month before overflowed (OverflowError, 500)."""
    response = web.get("/transparency?month=0001-01")
    assert response.status_code == 200


def test_one_agency_below_the_floor_cannot_be_recovered_from_the_overall_total(began, activity, web):  # noqa: F811
    """Attack: the overall documents issued (exact) minus every agency shown exactly gave the
    one agency hidden as "< 5" (here 6 - 5 = 1)."""
    html = activity_month_page(web, began)
    overall = re.search(r'<dl class="facts" id="overall">(.*?)</dl>', html, re.S).group(1)
    documents = re.findall(r"<dd>([^<]*)</dd>", overall)[1]
    assert documents != str(M_A + M_B)
    assert documents == f"≥ {M_A}"
