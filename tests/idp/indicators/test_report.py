"""Periods, series, the privacy floor and the charts, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from idp.indicators.charts import svg
from idp.indicators.export import as_csv, as_json
from idp.indicators.report import Period, PeriodError, Series, build, parse_period, public
from infra.indicators import Count

TODAY = date(2026, 12, 5)


def test_weeks_and_months_are_derived_from_days():
    period = Period(start=date(2026, 11, 28), end=date(2026, 12, 8), step="week")
    assert [(b.label, b.start, b.end) for b in period.buckets()] == [
        ("2026-W48", date(2026, 11, 28), date(2026, 11, 29)),
        ("2026-W49", date(2026, 11, 30), date(2026, 12, 6)),
        ("2026-W50", date(2026, 12, 7), date(2026, 12, 8))]
    months = Period(start=date(2026, 11, 28), end=date(2026, 12, 8), step="month").buckets()
    assert [b.label for b in months] == ["2026-11", "2026-12"]
    counts = [Count(date(2026, 11, 29), "a", "document.issued", "", 3),
              Count(date(2026, 12, 1), "a", "document.issued", "", 4),
              Count(date(2026, 12, 1), "b", "document.issued", "", 100),
              Count(date(2026, 12, 9), "a", "document.issued", "", 50)]
    found = build(counts, period, agency="a")
    assert [s.values for s in found.series] == [(3, 4, 0)]
    assert build(counts, period).total("document.issued") == 107


@pytest.mark.parametrize(("start", "end", "step", "field"), [
    ("2026-12-40", None, None, "start"), (None, "tomorrow", None, "end"),
    ("2026-12-06", "2026-12-05", None, "start"), ("2025-01-01", None, None, "end"),
    (None, None, "year", "step")])
def test_bad_periods_name_the_field(start, end, step, field):
    with pytest.raises(PeriodError) as caught:
        parse_period(start=start, end=end, step=step, today=TODAY, max_days=400)
    assert caught.value.field == field


def test_default_period_is_the_last_30_days():
    period = parse_period(start=None, end=None, step=None, today=TODAY, max_days=400)
    assert (period.start, period.end, period.step) == (date(2026, 11, 6), TODAY, "day")


def test_the_floor_hides_small_counts_and_the_total_that_would_give_one_away():
    shown = public(Series("signin.level", "high", (12, 3, 7)), 5)
    assert shown.values == (12, "< 5", 7) and shown.total == "≥ 19"
    assert public(Series("x", "", (2, 1, 30)), 5).total == 33  # two hidden: the total hides them
    # ... unless both are at the floor's edge: 38 - 30 = 8 = 4 + 4 would give each away.
    assert public(Series("x", "", (4, 4, 30)), 5).total == "≥ 30"
    assert public(Series("x", "", (1, 2)), 5).total == "< 5"
    assert public(Series("x", "", (0, 5)), 5).values == ("< 5", 5)


def test_exports_carry_the_floor_or_the_exact_numbers():
    period = Period(start=date(2026, 12, 4), end=date(2026, 12, 5))
    found = build([Count(date(2026, 12, 4), "=cmd", "document.issued", "residence", 2),
                   Count(date(2026, 12, 5), "=cmd", "document.issued", "residence", 9)], period, agency="=cmd")
    text = as_csv(found, floor=5)
    assert text.splitlines() == ["period,start,end,agency,kind,dimension,count",
                                 "2026-12-04,2026-12-04,2026-12-04,'=cmd,document.issued,residence,< 5",
                                 "2026-12-05,2026-12-05,2026-12-05,'=cmd,document.issued,residence,9"]
    assert as_json(found, floor=None)["series"] == [
        {"kind": "document.issued", "dimension": "residence", "values": [2, 9], "total": 11}]


def test_the_chart_is_an_image_with_a_title_and_escaped_labels():
    period = Period(start=date(2026, 12, 4), end=date(2026, 12, 5))
    chart = str(svg(title="Sign-ins <b>", description="2 days", buckets=period.buckets(),
                    series=[Series("signin.level", "high", (3, 7))], chart_id="c1"))
    assert chart.startswith('<svg class="chart"') and 'role="img"' in chart
    assert 'aria-labelledby="c1-title c1-desc"' in chart and "Sign-ins &lt;b&gt;" in chart
    assert chart.count("<rect") == 2 and "2026-12-05: 7" in chart
    assert "style=" not in chart and "<script" not in chart
