"""The console under hostile input: a date at the end of the calendar is a 400 saying which
field is wrong, never a server error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/operator/audit?end=9999-12-31", "/operator/audit/export?end=9999-12-31",
                                  "/operator/audit?start=0001-01-01&end=9999-12-31"])
def test_the_last_day_of_the_calendar_is_a_bad_date_not_a_500(client, operator, path):
    """Attack: end=9999-12-31; the search's end (the day after it, exclusive) overflowed."""
    response = client.get(path)
    assert response.status_code == 400, response.status_code


@pytest.mark.parametrize("path", ["/operator/indicators?start=9999-12-30&end=9999-12-31",
                                  "/operator/indicators/export?start=9999-12-30&end=9999-12-31&step=month"])
def test_indicators_at_the_end_of_the_calendar(client, operator, path):
    assert client.get(path).status_code in (200, 400)
