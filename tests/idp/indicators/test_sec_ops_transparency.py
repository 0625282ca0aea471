"""The public transparency page under hostile use: a month at the edge of the calendar, and
subtraction of the figures it shows to recover a count below the privacy floor."""

from __future__ import annotations


def test_the_first_month_of_the_calendar_is_not_a_server_error(web):
    """Attack: ?month=0001-01; the link to the month before overflowed (OverflowError, 500)."""
    response = web.get("/transparency?month=0001-01")
    assert response.status_code == 200
