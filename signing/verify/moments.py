"""Times read from a file, as a verification report keeps them: in UTC.

A signer writes the signing-time attribute it likes (RFC 5652, 11.3), a time-stamping
authority nobody trusts the time it likes, a certificate the validity it likes:
GeneralizedTime reaches from year 1 to 9999 and may carry an offset from UTC.
"00010101000000+0100" is a moment before the year 1 in UTC, which Python cannot write in UTC
(and "99991231235959-0100" one after the year 9999): the report keeps such a time at the
nearest moment it can write, the first or last of the calendar. A time of the calendar's
first or last year may not be movable into the reader's time zone either: the page shows it
in UTC (verify/_time.html).
"""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def in_utc(value: datetime | None) -> datetime | None:
    """`value` in UTC (a naive value is taken as UTC); one Python cannot write in UTC is the
    calendar's first or last moment; None stays None."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year == datetime.min.year else LATEST

