"""infra.indicators: daily counts kept by UPSERT in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from infra.db import get_db
from infra.indicators import IndicatorError, read, tally, tally_apart

DAY = datetime(2026, 12, 4, 23, 59, tzinfo=UTC)


def test_counts_add_up_across_shards_and_transactions(fresh_app):
    database = get_db(fresh_app)
    for _ in range(30):
        with database.transaction() as session:
            tally(session, "signin.level", agency="hacienda", dimension="high", now=DAY)
    with database.transaction() as session:
        tally(session, "signin.level", agency="hacienda", dimension="high", by=3, now=DAY)
        tally(session, "signin.level", agency="hacienda", dimension="low", now=DAY)
    with database.read() as session:
        counts = read(session, start=date(2026, 12, 4), end=date(2026, 12, 4))
    assert [(c.agency, c.kind, c.dimension, c.count) for c in counts] == [
        ("hacienda", "signin.level", "high", 33), ("hacienda", "signin.level", "low", 1)]


def test_a_rolled_back_event_is_not_counted(fresh_app):
    database = get_db(fresh_app)
    with pytest.raises(RuntimeError), database.transaction() as session:
        tally(session, "document.issued", agency="hacienda", now=DAY)
        raise RuntimeError("the event failed")
    with database.read() as session:
        assert read(session, start=DAY.date(), end=DAY.date()) == []


def test_the_day_is_utc_and_reading_filters_by_day_kind_and_agency(fresh_app):
    database = get_db(fresh_app)
    late = datetime.fromisoformat("2026-12-05T01:30:00+05:00")  # 2026-12-04 20:30 UTC
    with database.transaction() as session:
        tally(session, "document.issued", agency="a", now=late)
        tally(session, "document.issued", agency="b", now=datetime(2026, 12, 5, tzinfo=UTC))
        tally(session, "verification", dimension="TOTAL_PASSED", now=late)
    assert tally_apart(database, "error", dimension="400:oidc.token", now=late)
    with database.read() as session:
        only_a = read(session, start=date(2026, 12, 4), end=date(2026, 12, 4), agency="a")
        docs = read(session, start=date(2026, 12, 1), end=date(2026, 12, 31), kinds=["document.issued"])
        errors = read(session, start=date(2026, 12, 4), end=date(2026, 12, 4), kinds=["error"])
    assert [(c.day, c.agency, c.count) for c in only_a] == [(date(2026, 12, 4), "a", 1)]
    assert [(c.day, c.agency) for c in docs] == [(date(2026, 12, 4), "a"), (date(2026, 12, 5), "b")]
    assert [(c.dimension, c.count) for c in errors] == [("400:oidc.token", 1)]


def test_names_are_checked(fresh_app):
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(IndicatorError, match="kind is required"):
            tally(session, "", now=DAY)
        with pytest.raises(IndicatorError, match="agency must be at most 64"):
            tally(session, "x", agency="a" * 65, now=DAY)
        with pytest.raises(IndicatorError, match="only grows"):
            tally(session, "x", by=-1, now=DAY)


def test_a_count_lost_while_the_database_is_down_does_not_fail_the_caller(tmp_path):
    from idp.schema import SCHEMA
    from infra.db import Database

    database = Database(f"sqlite:///{tmp_path}/missing/none.db", schema=SCHEMA)
    assert tally_apart(database, "error", dimension="503") is False
