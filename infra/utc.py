"""Times as the product keeps and sends them: in UTC.

Every stored time is UTC, but SQLite gives datetimes back naive (PostgreSQL aware): `as_utc`
makes either aware. `rfc3339` writes one for a JSON answer (RFC 3339 section 5.6, with `Z`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

__all__ = ["as_utc", "rfc3339"]


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """`moment` with its time zone, a naive one taken as UTC; None stays None."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def rfc3339(moment: datetime | None) -> str | None:
    """`moment` in UTC as RFC 3339 with `Z` (`2026-01-31T09:30:00Z`); None stays None."""
    return None if moment is None else as_utc(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")
