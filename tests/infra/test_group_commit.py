"""infra.group_commit: appends of concurrent requests committed in one transaction that each
request waits for; a failure reaches every request of the batch."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from idp.audit.models import AuditEntry
from infra.db import get_db
from infra.group_commit import MAX_BATCH, GroupCommit, Write, get_group_commit
from infra.indicators import increment, read
from tests.support.log_entries import DAY, committed_citizens, log_entry


def test_a_commit_is_done_when_it_returns(fresh_app):
    group = get_group_commit(fresh_app)
    group.commit([log_entry("c-1")], [increment("token.issued", agency="agency", dimension="client_credentials",
                                             now=DAY)])
    assert committed_citizens(fresh_app) == ["c-1"]
    with get_db(fresh_app).read() as session:
        assert [(c.kind, c.count) for c in read(session, start=DAY.date(), end=DAY.date())] == [
            ("token.issued", 1)]


def test_a_request_alone_commits_all_its_writes_in_one_transaction(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    group.commit([log_entry("c-1"), log_entry("c-2"), log_entry("c-3")])  # one statement thrice: grouped
    assert committed_citizens(fresh_app) == ["c-1", "c-2", "c-3"]
    assert group.batches == 1
    bad = Write(sa.insert(AuditEntry), {"event": None})  # NOT NULL: the whole transaction fails
    with pytest.raises(sa.exc.IntegrityError):
        group.commit([log_entry("c-4"), bad])
    assert committed_citizens(fresh_app) == ["c-1", "c-2", "c-3"]


def test_concurrent_requests_share_commits_and_every_one_is_committed(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def request(n: int) -> None:
        start.wait(60)
        try:
            for i in range(10):
                group.commit([log_entry(f"c-{n}-{i}")], [increment("funnel.authorization", agency="agency",
                                                                 dimension="code", now=DAY)])
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(committed_citizens(fresh_app)) == 80
    assert group.served == 80 and 1 <= group.batches <= 80
    with get_db(fresh_app).read() as session:
        assert [c.count for c in read(session, start=DAY.date(), end=DAY.date())] == [80]


def test_increments_of_one_key_are_added_up_into_one_statement(fresh_app, monkeypatch):
    database = get_db(fresh_app)
    statements: list[tuple[str, int]] = []
    run_on_driver = GroupCommit._run_on_driver

    def seen(self, calls):
        statements.extend((plan.sql, len(parameters)) for plan, parameters in calls)
        return run_on_driver(self, calls)

    monkeypatch.setattr(GroupCommit, "_run_on_driver", seen)
    GroupCommit(database.engine).commit(counts=[
        increment("funnel.authorization", agency="a", dimension="authorize", now=DAY),
        increment("funnel.authorization", agency="a", dimension="code", now=DAY),
        increment("funnel.authorization", agency="a", dimension="code", now=DAY)])
    assert [rows for sql, rows in statements if "infra_indicators" in sql] == [2]  # one executemany
    with database.read() as session:
        assert [(c.dimension, c.count) for c in read(session, start=DAY.date(), end=DAY.date())] == [
            ("authorize", 1), ("code", 2)]


def test_a_failed_batch_fails_every_request_in_it_and_commits_nothing(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    broken = Write(sa.text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": 1})
    with pytest.raises(sa.exc.DBAPIError):
        group.commit([log_entry("c-lost"), broken])
    assert committed_citizens(fresh_app) == []
    group.commit([log_entry("c-kept")])  # the next batch is not affected
    assert committed_citizens(fresh_app) == ["c-kept"]


def test_count_never_fails_the_request(fresh_app, caplog):
    group = GroupCommit(sa.create_engine("sqlite:////nonexistent-dir/none.db"))
    assert group.count([increment("token.issued", agency="a", now=DAY)]) is False
    assert "indicator not counted" in caplog.text


def test_a_queue_longer_than_a_batch_is_served_in_several(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    # Fill the queue as if MAX_BATCH + 5 requests were waiting, then let one request lead.
    from infra.group_commit import _Request

    waiting = [_Request(writes=[log_entry(f"w-{n}")], counts=()) for n in range(MAX_BATCH + 5)]
    group._queue.extend(waiting)
    group.commit([log_entry("leader")])
    assert "leader" in committed_citizens(fresh_app)
    assert group.batches == 2  # the leader's own request was in the second batch
    assert all(request.done and request.error is None for request in waiting)


def test_a_request_that_breaks_a_shared_batch_fails_alone(fresh_app):
    """An integrity error (here a duplicate primary key) fails its own request only: the batch
    is run again one request at a time, and the others are committed."""
    from infra.group_commit import _Request

    group = GroupCommit(get_db(fresh_app).engine)
    with get_db(fresh_app).engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE once (id INTEGER PRIMARY KEY)"))
    duplicate = Write(sa.text("INSERT INTO once (id) VALUES (:id)"), {"id": 1})
    good, bad, also_good = (_Request(writes=[log_entry("c-1")], counts=()),
                            _Request(writes=[duplicate, duplicate], counts=()),
                            _Request(writes=[log_entry("c-2")], counts=()))
    group._run([good, bad, also_good])
    assert good.done and bad.done and also_good.done
    assert good.error is None and also_good.error is None
    assert isinstance(bad.error, sa.exc.IntegrityError)
    assert committed_citizens(fresh_app) == ["c-1", "c-2"]
    with get_db(fresh_app).read() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM once")) == 0  # the failed request left nothing
