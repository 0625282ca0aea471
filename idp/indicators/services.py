"""Reading the indicators: a report for a period and an agency, straight from the daily counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from idp.indicators.report import Period, Report, build
from infra.deferred_counts import flush_pending
from infra.indicators import read


def report(session: Session, period: Period, *, agency: str | None = None,
           kinds: Sequence[str] | None = None) -> Report:
    """The counts of `period` for one agency (`agency`), or of everything (None); this
    process's deferred counts are written first."""
    flush_pending(session.get_bind())
    counts = read(session, start=period.start, end=period.end, kinds=kinds, agency=agency)
    return build(counts, period, agency=agency, kinds=kinds)


def agencies_seen(session: Session, period: Period, kind: str) -> list[str]:
    """The agencies with a count of `kind` in the period (the platform itself left out)."""
    flush_pending(session.get_bind())
    counts = read(session, start=period.start, end=period.end, kinds=[kind])
    return sorted({c.agency for c in counts if c.agency})
