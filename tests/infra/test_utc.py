"""infra.utc: stored times (naive from SQLite, aware from PostgreSQL) made aware and written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from infra.utc import as_utc, rfc3339

NAIVE = datetime(2026, 1, 31, 9, 30)


def test_a_naive_time_is_utc_and_an_aware_one_is_kept():
    assert as_utc(NAIVE) == datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    madrid = datetime(2026, 1, 31, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(madrid) is madrid
    assert as_utc(None) is None


def test_rfc3339_is_utc_with_z():
    assert rfc3339(NAIVE) == "2026-01-31T09:30:00Z"
    assert rfc3339(datetime(2026, 1, 31, 10, 30, tzinfo=timezone(timedelta(hours=1)))) == "2026-01-31T09:30:00Z"
    assert rfc3339(datetime(2026, 1, 31, 9, 30, 0, 250000, tzinfo=UTC)) == "2026-01-31T09:30:00.250000Z"
    assert rfc3339(None) is None
