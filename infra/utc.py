"""Moments in UTC. Every stored time is UTC, but SQLite gives it back naive (PostgreSQL gives
it back aware, in the connection's time zone): `as_utc` makes either an aware UTC datetime,
and `iso_z` writes it as RFC 3339 with "Z" for the APIs and exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """`value` as an aware datetime in UTC; a naive one is taken to be UTC already."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@overload
def iso_z(value: datetime) -> str: ...
@overload
def iso_z(value: None) -> None: ...
def iso_z(value: datetime | None) -> str | None:
    """`value` in UTC as RFC 3339 with "Z": "2026-01-05T09:00:00Z" (with microseconds if any)."""
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")
