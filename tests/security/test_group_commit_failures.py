"""infra.group_commit under failure: a request whose own write the database refuses fails alone
("no log entry, no data" for it, the others committed); an outage fails every request of the
batch at once, without a transaction per request against a database that is away; at the HTTP
level an outage during the code exchange's group commit is a 503 with Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from idp import audit
from idp.audit.models import AuditEntry
from infra.db import get_db
from infra.group_commit import GroupCommit, Write, _Request

DAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _entry(citizen: str) -> Write:
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id=citizen, client_id="agency",
                                           claims=["sub"], now=DAY)
    return write


def _entries(app) -> list[str]:
    with get_db(app).read() as session:
        return sorted(session.scalars(sa.select(AuditEntry.citizen_ref)))


def _table(app) -> Any:
    with get_db(app).engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE IF NOT EXISTS numbered (id INTEGER PRIMARY KEY)"))
    return lambda: get_db(app).read().__enter__().scalar(sa.text("SELECT count(*) FROM numbered"))


def test_a_value_the_database_refuses_fails_its_own_request_only(fresh_app):
    """An integer out of the column's range (PostgreSQL: DataError; SQLite: the driver's
    OverflowError) is the fault of one request, as a duplicate key is: the batch is run again
    one request at a time, the others are committed and the request at fault leaves nothing."""
    group = GroupCommit(get_db(fresh_app).engine)
    rows = _table(fresh_app)
    out_of_range = Write(sa.text("INSERT INTO numbered (id) VALUES (:id)"), {"id": 2 ** 70})
    good, bad, also_good = (_Request(writes=[_entry("c-1")], counts=()),
                            _Request(writes=[_entry("c-bad"), out_of_range], counts=()),
                            _Request(writes=[_entry("c-2")], counts=()))
    group._run([good, bad, also_good])
    assert good.error is None and also_good.error is None, (good.error, also_good.error)
    assert bad.error is not None
    assert _entries(fresh_app) == ["c-1", "c-2"]  # the failed request's log entry is not there
    assert rows() == 0


def test_an_outage_fails_every_request_of_the_batch_once(fresh_app, monkeypatch):
    """The database away: one failed attempt for the batch, the same error in every request,
    not one more transaction per request against a database that does not answer."""
    group = GroupCommit(get_db(fresh_app).engine)
    attempts: list[int] = []

    def away() -> Any:
        attempts.append(1)
        raise sa.exc.OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(group.engine, "raw_connection", away)
    monkeypatch.setattr(group, "_kept", None)
    batch = [_Request(writes=[_entry(f"c-{n}")], counts=()) for n in range(3)]
    group._run(batch)
    assert len(attempts) == 1
    assert all(isinstance(request.error, sa.exc.OperationalError) for request in batch)
    monkeypatch.undo()
    assert _entries(fresh_app) == []


@pytest.mark.parametrize("failure", [
    lambda: sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
    lambda: sa.exc.DataError("INSERT", {}, Exception("value too long")),
], ids=["integrity", "data"])
def test_a_lone_request_gets_its_own_error(fresh_app, monkeypatch, failure):
    group = GroupCommit(get_db(fresh_app).engine)
    monkeypatch.setattr(group, "_run_on_driver", lambda calls: failure())
    with pytest.raises(sa.exc.DBAPIError):
        group.commit([_entry("c-alone")])
