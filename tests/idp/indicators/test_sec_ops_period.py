"""Periods at the ends of the calendar (agency API /api/indicators, operator console): a 400
naming the field, not an OverflowError (500) while building the buckets or the default start."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.mark.parametrize("start, end, step, field", [
    ("9999-12-30", "9999-12-31", "day", "end"), (None, "9999-12-31", "month", "end"),
    (None, "0001-01-05", "day", "end"), ("0001-01-01", "1000-01-02", "week", "start"),
])
def test_dates_at_the_ends_of_the_calendar_are_refused(start, end, step, field):
    from idp.indicators.report import PeriodError, parse_period

    with pytest.raises(PeriodError) as refused:
        parse_period(start=start, end=end, step=step, today=date(2026, 12, 5), max_days=400)
    assert refused.value.field == field


def test_the_widest_period_builds_its_buckets():
    from idp.indicators.report import EARLIEST, LATEST, parse_period

    for start, end in ((EARLIEST, EARLIEST), (LATEST, LATEST)):
        for step in ("day", "week", "month"):
            parse_period(start=str(start), end=str(end), step=step, today=date(2026, 12, 5),
                         max_days=400).buckets()
