"""infra.deferred_counts: counts of events without a transaction of their own, added up in
memory and written together within a second; kept while the database refuses them; written
before a reader of the same process reads, and on a graceful stop."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from infra import deferred_counts
from infra.db import get_db
from infra.deferred_counts import DeferredCounts, flush_all, flush_pending
from infra.group_commit import GroupCommit, get_group_commit
from infra.indicators import increment, read

DAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _totals(app) -> dict[tuple[str, str, str], int]:
    with get_db(app).read() as session:
        return {(c.agency, c.kind, c.dimension): c.count for c in read(session, start=DAY.date(), end=DAY.date())}


def _writers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "cedula-deferred-counts"]


def _until(check, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not written in time"
        time.sleep(0.02)


def test_counts_are_added_up_in_memory_and_written_as_one_row_per_key(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    group.deferred._delay = 3600  # written only by the flush below
    for _ in range(5):
        group.count_soon([increment("funnel.authorization", agency="a", dimension="authorize", now=DAY),
                          increment("funnel.authorization", agency="a", dimension="code", now=DAY)])
    group.count_soon([increment("token.issued", agency="b", dimension="client_credentials", now=DAY)])
    assert _totals(fresh_app) == {}  # nothing waited for the database
    assert len(group.deferred.pending) == 3
    statements: list[str] = []
    sa.event.listen(group.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert group.deferred.flush() is True
    assert _totals(fresh_app) == {("a", "funnel.authorization", "authorize"): 5,
                                  ("a", "funnel.authorization", "code"): 5,
                                  ("b", "token.issued", "client_credentials"): 1}
    assert group.deferred.pending == {}
    assert group.deferred.flush() is True  # nothing left: nothing written twice
    assert sum(t for t in _totals(fresh_app).values()) == 11


def test_the_writer_writes_within_its_delay_and_then_stops(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    group.deferred._delay = 0.05
    group.count_soon([increment("token.issued", agency="a", dimension="client_credentials", now=DAY)])
    _until(lambda: _totals(fresh_app) == {("a", "token.issued", "client_credentials"): 1})
    _until(lambda: group.deferred._writer is None)
    # The next count starts a writer again.
    group.count_soon([increment("token.issued", agency="a", dimension="client_credentials", now=DAY)])
    _until(lambda: _totals(fresh_app) == {("a", "token.issued", "client_credentials"): 2})


def test_counts_the_database_refuses_are_kept_for_the_next_attempt(caplog):
    attempts: list[list] = []

    def refused_once(increments):
        attempts.append(increments)
        return len(attempts) > 1

    deferred = DeferredCounts(refused_once, engine=sa.create_engine("sqlite://"), delay=3600)
    deferred.add([increment("token.issued", agency="a", now=DAY)])
    assert deferred.flush() is False
    deferred.add([increment("token.issued", agency="a", now=DAY)])  # meanwhile
    assert len(deferred.pending) == 1
    assert deferred.flush() is True
    assert [(i.kind, i.agency, i.by) for i in attempts[1]] == [("token.issued", "a", 2)]
    assert deferred.pending == {}


def test_a_database_away_loses_no_count_and_logs_it(fresh_app, caplog):
    group = GroupCommit(sa.create_engine("sqlite:////nonexistent-dir/none.db"))
    group.deferred._delay = 3600
    group.count_soon([increment("token.issued", agency="a", now=DAY)])
    assert group.deferred.flush() is False
    assert "indicator not counted" in caplog.text
    assert len(group.deferred.pending) == 1
    group.deferred._write = GroupCommit(get_db(fresh_app).engine).count  # the database is back
    assert group.deferred.flush() is True
    assert _totals(fresh_app) == {("a", "token.issued", ""): 1}


def test_a_reader_of_the_same_process_sees_its_counts_at_once(fresh_app):
    group = get_group_commit(fresh_app)
    group.deferred._delay = 3600
    group.count_soon([increment("token.issued", agency="a", dimension="client_credentials", now=DAY)])
    with get_db(fresh_app).read() as session:
        flush_pending(session.get_bind())
    assert _totals(fresh_app) == {("a", "token.issued", "client_credentials"): 1}


def test_a_graceful_stop_writes_what_is_pending(fresh_app):
    group = get_group_commit(fresh_app)
    group.deferred._delay = 3600
    group.count_soon([increment("token.issued", agency="a", dimension="client_credentials", now=DAY)])
    flush_all()  # what cedula serve's workers call on their way out (and atexit)
    assert _totals(fresh_app) == {("a", "token.issued", "client_credentials"): 1}


def test_a_forked_child_does_not_write_its_parents_counts(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    group.deferred._delay = 3600
    group.count_soon([increment("token.issued", agency="a", now=DAY)])
    group.deferred._after_fork()  # what os.register_at_fork runs in the child
    assert group.deferred.pending == {} and group.deferred._writer is None
    assert group.deferred in deferred_counts._LIVE

