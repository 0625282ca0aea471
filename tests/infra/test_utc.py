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


def test_at_second_is_the_moment_of_that_second_asked_again_and_again():
    """`at_second` keeps the last second's moment: the same value as building it each time."""
    from infra.utc import at_second

    for second in (0, 1_780_000_000, 1_780_000_000, 1_780_000_001, 1_780_000_000, 2**31 + 5, 1_780_000_001):
        moment = at_second(second)
        assert moment == datetime.fromtimestamp(second, UTC) and moment.tzinfo is UTC
    # A fraction of a second is kept whole (never answered with the whole second's moment).
    at_second(1_780_000_000)
    assert at_second(1_780_000_000.5) == datetime.fromtimestamp(1_780_000_000.5, UTC)
    assert at_second(True) == datetime.fromtimestamp(1, UTC)
