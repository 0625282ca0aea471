"""Stored moments read back naive (SQLite) or aware (PostgreSQL) become the same UTC moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from infra.utc import as_utc, iso_z

MOMENT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_naive_moment_is_taken_as_utc_and_an_aware_one_converted():
    assert as_utc(MOMENT.replace(tzinfo=None)) == MOMENT
    converted = as_utc(MOMENT.astimezone(timezone(timedelta(hours=-6))))
    assert converted == MOMENT and converted.tzinfo is UTC
    assert as_utc(None) is None


def test_iso_z_writes_utc_with_a_z():
    assert iso_z(MOMENT) == "2026-01-05T09:00:00Z"
    assert iso_z(MOMENT.replace(tzinfo=None, microsecond=5)) == "2026-01-05T09:00:00.000005Z"
    assert iso_z(MOMENT.astimezone(timezone(timedelta(hours=2)))) == "2026-01-05T09:00:00Z"
    assert iso_z(None) is None
