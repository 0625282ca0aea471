"""Times as the product keeps and sends them: in UTC.

Every stored time is UTC, but SQLite gives datetimes back naive (PostgreSQL aware): `as_utc`
makes either aware. `rfc3339` writes one for a JSON answer (RFC 3339 section 5.6, with `Z`). `at_second` is
the aware moment of a whole second since the epoch (the `now` of the token endpoints).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

__all__ = ["as_utc", "at_second", "rfc3339"]


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


# The last second asked of `at_second` and its moment, swapped whole (a tuple: a reader on another
# thread sees one pair or the other, never half of each).
_SECOND: tuple[float, datetime] = (0, datetime.fromtimestamp(0, UTC))


def at_second(now: float) -> datetime:
    """`datetime.fromtimestamp(now, UTC)` for a whole second `now`: the requests of one second
    share one moment instead of each building it (UserInfo and /token ask for it two or three
    times per request, issue 16). The same value (an equal, aware datetime) for any int."""
    global _SECOND
    second = _SECOND
    if second[0] == now:  # (an equal number is the same moment, a fraction included)
        return second[1]
    moment = datetime.fromtimestamp(now, UTC)
    _SECOND = (now, moment)
    return moment
