"""infra.group_commit under failure: a request whose own write the database refuses fails alone
("no log entry, no data" for it, the others committed); an outage fails every request of the
batch at once, without a transaction per request against a database that is away; at the HTTP
level an outage during the code exchange's group commit is a 503 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from idp.audit.models import AuditEntry
from infra.db import get_db
from infra.group_commit import GroupCommit, Write, _Request
from tests.support.log_entries import committed_citizens, log_entry


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
    good, bad, also_good = (_Request(writes=[log_entry("c-1")], counts=()),
                            _Request(writes=[log_entry("c-bad"), out_of_range], counts=()),
                            _Request(writes=[log_entry("c-2")], counts=()))
    group._run([good, bad, also_good])
    assert good.error is None and also_good.error is None, (good.error, also_good.error)
    assert bad.error is not None
    assert committed_citizens(fresh_app) == ["c-1", "c-2"]  # the failed request's log entry is not there
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
    batch = [_Request(writes=[log_entry(f"c-{n}")], counts=()) for n in range(3)]
    group._run(batch)
    assert len(attempts) == 1
    assert all(isinstance(request.error, sa.exc.OperationalError) for request in batch)
    monkeypatch.undo()
    assert committed_citizens(fresh_app) == []


@pytest.mark.parametrize("failure", [
    lambda: sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
    lambda: sa.exc.DataError("INSERT", {}, Exception("value too long")),
], ids=["integrity", "data"])
def test_a_lone_request_gets_its_own_error(fresh_app, monkeypatch, failure):
    group = GroupCommit(get_db(fresh_app).engine)
    monkeypatch.setattr(group, "_run_on_driver", lambda calls: failure())
    with pytest.raises(sa.exc.DBAPIError):
        group.commit([log_entry("c-alone")])


def _database_away(group: GroupCommit, monkeypatch) -> list[int]:
    """The group commit's batches fail as a refused connection does (the reads still work)."""
    attempts: list[int] = []

    def away(calls: Any) -> BaseException:
        attempts.append(1)
        return sa.exc.OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(group, "_run_on_driver", away)
    monkeypatch.setattr(group, "_core_transaction", away)
    return attempts


def test_an_outage_in_the_userinfo_release_is_a_503_without_claims(client, register, citizen, monkeypatch):
    """UserInfo logs the release through the group commit: no log entry, no data."""
    from infra.group_commit import get_group_commit
    from tests.idp.oidc.conftest import bearer, tokens_for
    from tests.idp.oidc.test_direct_routes import Sent, same_answer

    tokens = tokens_for(client, register())
    app = client.application
    attempts = _database_away(get_group_commit(app), monkeypatch)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    failed = same_answer(app, lambda: Sent("GET", "/userinfo", bearer(tokens["access_token"])))
    assert attempts, "the release went through the group commit"
    assert failed.status.startswith("503") and any(name == "Retry-After" for name, _ in failed.headers)
    assert b"sub" not in failed.body


def test_an_outage_in_the_code_exchange_is_a_503_and_leaves_no_grant(client, register, citizen, monkeypatch):
    from idp.oidc.models import Grant as GrantRecord
    from infra.group_commit import get_group_commit
    from tests.idp.oidc.conftest import exchange, get_code

    agency = register()
    app = client.application
    for _ in range(2):  # every read kept from then on: the group commit's path
        code, flow = get_code(client, agency)
        assert exchange(client, agency, code, flow).status_code == 200
    with get_db(app).read() as session:
        grants = session.scalar(sa.select(sa.func.count()).select_from(GrantRecord))
        entries = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    code, flow = get_code(client, agency)
    attempts = _database_away(get_group_commit(app), monkeypatch)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    failed = exchange(client, agency, code, flow)
    assert attempts, "the exchange went through the group commit"
    assert failed.status_code == 503 and "Retry-After" in failed.headers, failed.get_json()
    assert "access_token" not in (failed.get_json() or {})
    monkeypatch.undo()
    # The code was taken before the commit failed: presented again it is a replay (nothing
    # issued to revoke), never a second grant. (A client that follows Retry-After with the same
    # code gets invalid_grant and must start a new authorization request.)
    again = exchange(client, agency, code, flow)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    with get_db(app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(GrantRecord)) == grants
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == entries


def test_a_batch_that_raises_instead_of_failing_wakes_every_request_and_the_next_batch_runs(fresh_app, monkeypatch):
    """Something raising out of the batch itself (not a failed transaction: returning a pooled
    connection that breaks on close, a bug) must reach every request of the batch, not leave
    them asleep with the lead held, which would stop every later commit of the process."""
    import threading

    group = GroupCommit(get_db(fresh_app).engine)
    original = group._transaction
    calls = [0]

    def breaking(batch: list[_Request]) -> BaseException | None:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("the connection broke while it was given back")
        return original(batch)

    monkeypatch.setattr(group, "_transaction", breaking)
    waiting = _Request(writes=[log_entry("c-waiting")], counts=())
    group._queue.append(waiting)  # a request queued behind the leader, in its batch
    group._leading = False
    with pytest.raises(RuntimeError):
        group.commit([log_entry("c-leader")])
    assert waiting.done and isinstance(waiting.error, RuntimeError)
    done = threading.Event()

    def later() -> None:
        group.commit([log_entry("c-later")])
        done.set()

    threading.Thread(target=later, daemon=True).start()
    assert done.wait(60), "the next commit waited for a lead that was never given back"
    assert committed_citizens(fresh_app) == ["c-later"]
