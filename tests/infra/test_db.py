"""The connection pool: no round trip per checkout, and recovery when the server ends connections."""

from __future__ import annotations

import os
import stat

import psycopg
import pytest
import sqlalchemy as sa

from idp.schema import SCHEMA
from infra.db import Database, is_unavailable
from tests.support.parts import terminate_backend


@pytest.fixture
def database(app, backend):
    if not backend.database_url.startswith("postgresql"):
        pytest.skip("the pool under test is PostgreSQL's (SQLite opens its file per connection)")
    database = Database(backend.database_url, schema=SCHEMA)
    yield database
    database.dispose()


def _backend_pid(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def test_checkout_costs_no_round_trip(database, monkeypatch):
    """Issue 16: `pool_pre_ping` sent a `SELECT 1` before every checkout."""
    pings = []
    monkeypatch.setattr(database.engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    for _ in range(20):
        _backend_pid(database)
    assert pings == []


def test_connections_the_server_ended_are_replaced_without_an_error(database):
    """A PostgreSQL restart ends every connection; the next request must not fail for it."""
    first = _backend_pid(database)
    terminate_backend(first)  # and wait until it has gone: only then is the pooled connection dead
    second = _backend_pid(database)  # no OperationalError: the dead connection was not used
    assert second != first


def test_an_unreachable_server_is_unavailable_not_a_bug():
    dead = Database("postgresql+psycopg://postgres@127.0.0.1:1/none", schema=SCHEMA)
    with pytest.raises(sa.exc.OperationalError) as caught:
        _backend_pid(dead)
    assert is_unavailable(caught.value)
    dead.dispose()


def test_a_driver_error_wrapped_by_a_library_is_still_unavailable():
    """pyHanko (signing with a key read from the database) or a cache may raise their own error
    from the driver's: the request still gets 503, not 500."""
    dead = Database("postgresql+psycopg://postgres@127.0.0.1:1/none", schema=SCHEMA)
    with pytest.raises(sa.exc.OperationalError) as caught:
        _backend_pid(dead)
    dead.dispose()
    try:
        try:
            raise caught.value
        except sa.exc.OperationalError as exc:
            raise ValueError("signing failed") from exc
    except ValueError as wrapped:
        assert is_unavailable(wrapped)
    try:
        try:
            raise caught.value
        except sa.exc.OperationalError:
            raise KeyError("while handling it")  # noqa: B904 - the implicit context is the point
    except KeyError as chained:
        assert is_unavailable(chained)
    assert not is_unavailable(ValueError("a bug, nothing to do with the database"))


def test_a_current_schema_is_not_migrated_again(tmp_path, monkeypatch):
    """`make run` upgrades on every start: a database at the heads skips Alembic's environment."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'cedula.db'}"
    assert SCHEMA.current(url) == set()
    SCHEMA.upgrade(url)
    assert SCHEMA.current(url) == SCHEMA.heads(url)
    monkeypatch.setattr(command, "upgrade", lambda *a, **k: pytest.fail("migrated a current schema"))
    SCHEMA.upgrade(url)


def _lost(message: str = "server closed the connection unexpectedly") -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError(message))


@pytest.mark.parametrize("error", [
    psycopg.OperationalError("connection is lost"),  # raw, from the pool's checkout hook
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.InterfaceError("the connection is closed"),
    sa.exc.InvalidatePoolError("the server closed the connection (restart or shutdown)"),
    # pool/base.py, when the reconnected connection is found closed at checkout again
    sa.exc.InvalidRequestError("This connection is closed"),
    sa.exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back.  "
                                "Please rollback() fully before proceeding"),
    _lost(),
], ids=lambda e: type(e).__name__)
def test_every_way_a_lost_connection_is_reported_is_unavailable(error):
    """Seen under the PostgreSQL outage of tests/cluster/test_faults.py: only a driver error
    wrapped by SQLAlchemy was known, the others answered 500."""
    assert is_unavailable(error)


@pytest.mark.parametrize("error", [
    psycopg.errors.UndefinedTable('relation "no_such_table" does not exist'),
    psycopg.ProgrammingError("syntax error"),
    sa.exc.InvalidRequestError("A value is required for bind parameter 'x'"),
    sa.exc.ResourceClosedError("This result object does not return rows."),
    sa.exc.PendingRollbackError("This Session's transaction has been rolled back due to a "
                                "previous exception during flush."),
], ids=lambda e: type(e).__name__)
def test_a_misuse_or_a_wrong_statement_is_not_unavailable(error):
    assert not is_unavailable(error)


def test_the_pool_giving_up_on_closed_connections_is_unavailable():
    """The server accepts a connection and shuts down at once (the first instant of an outage):
    the checkout hook refuses the pooled connection and the reconnected one, and SQLAlchemy
    raises its own error, without the driver's."""
    engine = sa.create_engine("sqlite://")

    def closed(*_args) -> None:
        raise sa.exc.InvalidatePoolError("the server closed the connection (restart or shutdown)")

    sa.event.listen(engine, "checkout", closed)
    with pytest.raises(sa.exc.InvalidRequestError) as caught:
        engine.connect()
    engine.dispose()
    assert not isinstance(caught.value, sa.exc.DBAPIError)
    assert is_unavailable(caught.value)


def test_a_failed_statement_carries_none_of_its_values(app, backend):
    """The engine hides a statement's values from its errors (SQLAlchemy's `hide_parameters`):
    an IntegrityError's text carried the row (a national ID, an e-mail address) into every log
    line and traceback that held it; the logging formatter's mask was the only guard."""
    from infra.db import create_engine

    engine = create_engine(backend.database_url)
    table = sa.Table(f"t_hidden_{id(engine)}", sa.MetaData(), sa.Column("email", sa.String(80), unique=True))
    try:
        table.create(engine)
        with pytest.raises(sa.exc.IntegrityError) as raised:
            with engine.begin() as conn:
                conn.execute(table.insert(), [{"email": "ana@example.org"}, {"email": "ana@example.org"}])
        assert "[SQL parameters hidden" in str(raised.value)
        assert "'ana@example.org'" not in str(raised.value)
    finally:
        table.drop(engine, checkfirst=True)
        engine.dispose()


@pytest.mark.parametrize(("setting", "recycle"), [(0, -1), (1800, 1800)])
def test_a_pool_recycle_of_0_never_recycles(setting, recycle):
    """config/default.toml says `pool_recycle_seconds = 0` is never; SQLAlchemy takes 0 as 'older
    than 0 seconds' and -1 as never, so 0 replaced the connection at every checkout (a new
    PostgreSQL connection per request). No connection is made here."""
    from infra.db import PoolSettings, create_engine

    engine = create_engine("postgresql+psycopg://cedula@127.0.0.1:1/cedula",
                           pool=PoolSettings(recycle_seconds=setting))
    assert engine.pool._recycle == recycle
    engine.dispose()


def test_the_sqlite_database_and_its_wal_files_are_created_mode_0600(tmp_path):
    """Before: the folder was made 0700 but SQLite created cedula.db (and its -wal, -shm) 0644
    under the usual umask 022."""
    from infra.db import create_engine

    path = tmp_path / "data" / "cedula.db"
    previous = os.umask(0o022)
    try:
        engine = create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        modes = {name: stat.S_IMODE(os.stat(tmp_path / "data" / name).st_mode)
                 for name in ("cedula.db", "cedula.db-wal", "cedula.db-shm")}
        engine.dispose()
    finally:
        os.umask(previous)
    assert modes == {"cedula.db": 0o600, "cedula.db-wal": 0o600, "cedula.db-shm": 0o600}
