"""Server-rendered SVG bar charts of a report's series (no script): one bar per period, the
sum of the series given. The page shows the same numbers in a table next to each chart, so
the chart itself is an image with a title and a one-sentence description.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from idp.indicators.report import Bucket, Series
from infra.i18n import Formats

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 48, 40, 12


@dataclass(frozen=True)
class PeriodName:
    """A period as people write it: `full` in the table and the bar's tooltip (`30 nov 2026`,
    `Semana del 30 nov 2026`, `noviembre de 2026`), `short` under the chart's axis."""

    full: str
    short: str


def period_names(buckets: Sequence[Bucket], step: str, formats: Formats, *, week: str) -> list[PeriodName]:
    """The names of `buckets` of `step` (day, week or month) in the language of `formats`;
    `week`: the sentence naming a week from its first day (`Semana del {day}`)."""
    names = []
    for bucket in buckets:
        if step == "month":
            names.append(PeriodName(formats.month(bucket.start), formats.short_month(bucket.start)))
        else:
            day = formats.date(bucket.start, "medium")
            names.append(PeriodName(week.format(day=day) if step == "week" else day,
                                    formats.day_and_month(bucket.start)))
    return names


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    value: int
    x: float
    y: float
    width: float
    height: float


def _nice_top(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value))


def bars(buckets: Sequence[Bucket], series: Sequence[Series],
         names: Sequence[PeriodName] | None = None) -> tuple[list[Bar], int]:
    """One bar per bucket, named by `names` (default: the buckets' machine labels)."""
    names = names or [PeriodName(b.label, b.label) for b in buckets]
    totals = [sum(s.values[i] for s in series) for i in range(len(buckets))]
    top = _nice_top(max(totals, default=0))
    inner_w = WIDTH - MARGIN_LEFT - 8
    inner_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = inner_w / max(len(buckets), 1)
    found = []
    for i, (name, total) in enumerate(zip(names, totals, strict=True)):
        height = inner_h * total / top
        found.append(Bar(label=name.full, short=name.short, value=total, x=MARGIN_LEFT + i * slot + slot * 0.15,
                         y=MARGIN_TOP + inner_h - height, width=max(slot * 0.7, 1), height=height))
    return found, top


def svg(*, title: str, description: str, buckets: Sequence[Bucket], series: Sequence[Series],
        chart_id: str, names: Sequence[PeriodName] | None = None,
        number: Callable[[int], str] = str) -> Markup:
    """The chart as inline SVG (presentation attributes only: no style, nothing the CSP blocks);
    `names` and `number` write the periods and the counts in the page's language."""
    found, top = bars(buckets, series, names)
    inner_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base = MARGIN_TOP + inner_h
    cid = escape(chart_id)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{cid}-title">{escape(title)}</title>',
             f'<desc id="{cid}-desc">{escape(description)}</desc>']
    for fraction in (0, 0.5, 1):
        y = base - inner_h * fraction
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#6b6b6b" stroke-width="1"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#1a1a1a">{escape(number(int(top * fraction)))}</text>')
    step = max(1, len(found) // 8)  # at most ~8 period labels under the axis
    for i, bar in enumerate(found):
        parts.append(f'<rect x="{bar.x:.1f}" y="{bar.y:.1f}" width="{bar.width:.1f}" '
                     f'height="{bar.height:.1f}" fill="#1d4f91"><title>{escape(bar.label)}: '
                     f'{escape(number(bar.value))}</title></rect>')
        if i % step == 0:
            parts.append(f'<text x="{bar.x + bar.width / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#1a1a1a">{escape(bar.short)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped above
