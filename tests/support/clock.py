"""The UTC days and months a test's actions fall in, the clock read before them and again
after: a test comparing with the clock at day or month resolution then passes on either side
of a midnight UTC (or a month's first day) crossed between the action and the assertion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Span:
    """From `before` (read before the actions) to now (read at the assertion)."""

    before: datetime

    def days(self, now: datetime | None = None) -> tuple[date, ...]:
        first, last = self.before.date(), (now or datetime.now(UTC)).date()
        return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))

    def months(self, now: datetime | None = None) -> tuple[str, ...]:
        """The months ("2026-12") of `days`, oldest first."""
        return tuple(dict.fromkeys(f"{day:%Y-%m}" for day in self.days(now)))

