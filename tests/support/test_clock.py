"""tests.support.clock: the days and months between the clock read before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.support.clock import Span


def test_within_one_day_it_is_that_day_and_month():
    span = Span(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert span.days(datetime(2026, 12, 7, 8, 1, tzinfo=UTC)) == (date(2026, 12, 7),)
    assert span.months(datetime(2026, 12, 7, 8, 1, tzinfo=UTC)) == ("2026-12",)


def test_across_a_months_first_midnight_it_is_both_days_and_months():
    span = Span(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    after = datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
    assert span.days(after) == (date(2026, 11, 30), date(2026, 12, 1))
    assert span.months(after) == ("2026-11", "2026-12")
