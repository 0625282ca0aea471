"""Reports over the daily counts: a period cut into days, weeks or months, one series per
kind and dimension, and the privacy floor applied to whatever leaves the operator console.

Pure functions over `infra.indicators.Count` rows; the views, exports and the CLI only choose
the period and the agency and read the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from idp.indicators.catalog import BY_NAME
from infra.indicators import Count
from infra.web.error_shape import FieldError

STEPS = ("day", "week", "month")


class PeriodError(FieldError):
    """A period that cannot be reported: `field` names the bad input."""


@dataclass(frozen=True)
class Bucket:
    label: str  # 2026-12-04 | 2026-W49 | 2026-12
    start: date
    end: date   # included


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    step: str = "day"

    def buckets(self) -> list[Bucket]:
        found: list[Bucket] = []
        day = self.start
        while day <= self.end:
            if self.step == "day":
                first, last, label = day, day, day.isoformat()
            elif self.step == "week":  # ISO weeks, Monday first
                first = day - timedelta(days=day.weekday())
                last = first + timedelta(days=6)
                year, week, _ = first.isocalendar()
                label = f"{year}-W{week:02d}"
            else:
                first = day.replace(day=1)
                last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                label = f"{first.year}-{first.month:02d}"
            found.append(Bucket(label=label, start=max(first, self.start), end=min(last, self.end)))
            day = last + timedelta(days=1)
        return found


EARLIEST, LATEST = date(1000, 1, 1), date(9998, 12, 31)


def parse_period(*, start: str | None, end: str | None, step: str | None, today: date,
                 max_days: int, default_days: int = 30) -> Period:
    """The period asked for (ISO dates, both included; default: the last `default_days`
    days up to today), or PeriodError naming the bad field."""
    def day(name: str, raw: str | None, fallback: date) -> date:
        if raw is None or not raw.strip():
            return fallback
        try:
            found = date.fromisoformat(raw.strip())
        except ValueError:
            raise PeriodError(name, "a date like 2026-12-01 is expected") from None
        if not EARLIEST <= found <= LATEST:  # periods and buckets reach days around it
            raise PeriodError(name, f"a date from {EARLIEST} to {LATEST} is expected")
        return found

    last = day("end", end, today)
    first = day("start", start, last - timedelta(days=default_days - 1))
    chosen = (step or "day").strip() or "day"
    if chosen not in STEPS:
        raise PeriodError("step", f"one of {', '.join(STEPS)} is expected")
    if first > last:
        raise PeriodError("start", "the start must not be after the end")
    if (last - first).days + 1 > max_days:
        raise PeriodError("end", f"a period covers at most {max_days} days")
    return Period(start=first, end=last, step=chosen)


@dataclass(frozen=True)
class Series:
    kind: str
    dimension: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Report:
    period: Period
    agency: str | None  # None: every agency and the platform together
    buckets: tuple[Bucket, ...]
    series: tuple[Series, ...]

    def of(self, kind: str) -> list[Series]:
        return [s for s in self.series if s.kind == kind]

    def total(self, kind: str, dimension: str | None = None) -> int:
        return sum(s.total for s in self.series if s.kind == kind and
                   (dimension is None or s.dimension == dimension))


def build(counts: Iterable[Count], period: Period, *, agency: str | None = None,
          kinds: Sequence[str] | None = None) -> Report:
    """One series per (kind, dimension) seen, its values per bucket; counts of other agencies
    (when `agency` is set) or outside the period are left out."""
    buckets = period.buckets()
    index: dict[date, int] = {}
    for position, bucket in enumerate(buckets):
        day = bucket.start
        while day <= bucket.end:
            index[day] = position
            day += timedelta(days=1)
    sums: dict[tuple[str, str], list[int]] = {}
    for count in counts:
        if agency is not None and count.agency != agency:
            continue
        if kinds is not None and count.kind not in kinds:
            continue
        if count.day not in index:
            continue
        position = index[count.day]
        values = sums.setdefault((count.kind, count.dimension), [0] * len(buckets))
        values[position] += count.count
    order = {name: i for i, name in enumerate(BY_NAME)}
    series = tuple(Series(kind=kind, dimension=dimension, values=tuple(values))
                   for (kind, dimension), values in sorted(
                       sums.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])))
    return Report(period=period, agency=agency, buckets=tuple(buckets), series=series)


# The privacy floor.

Shown = int | str


def below(floor: int) -> str:
    return f"< {floor}"


def shown(value: int, floor: int) -> Shown:
    """A count as it may leave the operator console: itself, or "< floor" below the floor."""
    return value if value >= floor else below(floor)


@dataclass(frozen=True)
class PublicSeries:
    kind: str
    dimension: str
    values: tuple[Shown, ...]
    total: Shown


def public(series: Series, floor: int) -> PublicSeries:
    """The series with the floor applied to every value and the total. When exactly one value
    is hidden, the exact total minus the others would give it away; when every hidden value is
    at the floor's edge (two at 4: the total minus the others is 8), so would it for each: the
    total is then shown as "≥ the sum of the values shown" (`lower_bound`: true, and no more
    than "< floor" already says)."""
    values: tuple[Shown, ...] = tuple(shown(v, floor) for v in series.values)
    total: Shown = shown(series.total, floor)
    if not isinstance(total, str) and gives_away(values, series.total, floor):
        total = lower_bound(values, floor)
    return PublicSeries(kind=series.kind, dimension=series.dimension, values=values, total=total)


def gives_away(values: Sequence[Shown], total: int, floor: int) -> bool:
    """Whether the exact `total` of `values` (some hidden as "< floor") tells what a hidden one
    is: one hidden (the total minus the others), or all hidden at the most the floor hides
    (their sum, the total minus the others, is then hidden x (floor - 1))."""
    hidden = sum(isinstance(v, str) for v in values)
    if hidden == 0:
        return False
    rest = total - sum(v for v in values if isinstance(v, int))
    return hidden == 1 or rest == hidden * (floor - 1)


def lower_bound(values: Iterable[Shown], floor: int) -> str:
    """What a total whose parts are partly hidden may say: at least the parts shown (and at
    least the floor, which a total shown at all reaches)."""
    return f"≥ {max(floor, sum(v for v in values if isinstance(v, int)))}"


def restrict(report: Report, kinds: Iterable[str]) -> Report:
    wanted = set(kinds)
    return replace(report, series=tuple(s for s in report.series if s.kind in wanted))
