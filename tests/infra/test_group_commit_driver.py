"""infra.group_commit on the driver's connection: the values stored are those SQLAlchemy Core
stores for the same statement (bind processors, parameter order), the driver's errors come out
as SQLAlchemy's, and statements the driver path does not take still commit through Core."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from idp import audit
from infra.db import get_db, is_unavailable
from infra.group_commit import GroupCommit, Write
from infra.indicators import increment, upsert_rows, upsert_statement
from tests.support.parts import terminate_backend

MOMENT = datetime(2026, 12, 4, 12, 30, 15, 123456, tzinfo=UTC)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


METADATA = sa.MetaData()
KINDS = sa.Table(
    "group_commit_kinds", METADATA,
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path", sa.String(8), nullable=False),
    sa.Column("ident", sa.Uuid),
    sa.Column("aware", sa.DateTime(timezone=True)),
    sa.Column("naive", sa.DateTime),
    sa.Column("day", sa.Date),
    sa.Column("doc", sa.JSON),
    sa.Column("flag", sa.Boolean),
    sa.Column("amount", sa.Numeric(10, 3)),
    sa.Column("blob", sa.LargeBinary),
    sa.Column("colour", sa.Enum(Colour, native_enum=False)),
    sa.Column("text", sa.Text),
)
INSERT = sa.insert(KINDS)
VALUES = {"ident": uuid.UUID("12345678-1234-5678-1234-567812345678"), "aware": MOMENT,
          "naive": MOMENT.replace(tzinfo=None), "day": date(2026, 12, 4),
          "doc": {"claims": ["sub", "email"], "n": 1, "nested": {"é": None}}, "flag": True,
          "amount": Decimal("12.345"), "blob": b"\x00\xffbytes", "colour": Colour.BLUE, "text": "ação"}


@pytest.fixture
def kinds_table(fresh_app):
    engine = get_db(fresh_app).engine
    METADATA.create_all(engine)
    try:
        yield engine
    finally:
        METADATA.drop_all(engine)


def _stored(engine: sa.Engine, table: str, order: str, columns: list[str]) -> list[tuple]:
    """The rows as the database keeps them: the driver's raw values on SQLite, the server's
    text form of each value on PostgreSQL."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            listed = ", ".join(f"{c}::text" for c in columns)
        else:
            listed = ", ".join(f"{c}, typeof({c})" for c in columns)
        return [tuple(row) for row in connection.exec_driver_sql(f"SELECT {listed} FROM {table} ORDER BY {order}")]


def test_every_type_is_stored_as_sqlalchemy_core_stores_it(kinds_table):
    engine = kinds_table
    with engine.begin() as connection:
        connection.execute(INSERT, {"path": "core", **VALUES})
        connection.execute(INSERT, [{"path": "core", **VALUES}, {"path": "core", **VALUES, "doc": None}])
    group = GroupCommit(engine)
    group.commit([Write(INSERT, {"path": "driver", **VALUES})])
    group.commit([Write(INSERT, {"path": "driver", **VALUES}),
                  Write(INSERT, {"path": "driver", **VALUES, "doc": None})])
    columns = [c.name for c in KINDS.columns if c.name not in ("n", "path")]
    rows = _stored(engine, "group_commit_kinds", "n", ["path", *columns])
    core = [row[2:] if engine.dialect.name == "sqlite" else row[1:] for row in rows if row[0] == "core"]
    driver = [row[2:] if engine.dialect.name == "sqlite" else row[1:] for row in rows if row[0] == "driver"]
    assert len(core) == 3 and driver == core
    with engine.connect() as connection:  # and read back by SQLAlchemy as written
        read = connection.execute(sa.select(*(KINDS.c[k] for k in VALUES), KINDS.c.path).order_by(KINDS.c.n)).all()
    assert [tuple(row)[:-1] for row in read if row.path == "driver"] == [
        tuple(row)[:-1] for row in read if row.path == "core"]
    assert read[-1].doc is None and read[0].doc == VALUES["doc"] and read[0].ident == VALUES["ident"]


def test_log_entries_and_counts_are_stored_as_sqlalchemy_core_stores_them(fresh_app):
    engine = get_db(fresh_app).engine
    writes = [audit.pending_entry(event="release.userinfo", citizen_id=f"c-{n}", client_id="agency",
                                  claims=["sub", "email"], purpose="p", now=MOMENT)[0] for n in range(2)]
    with engine.begin() as connection:
        connection.execute(writes[0].statement, writes[0].values)
    GroupCommit(engine).commit([writes[1]])
    columns = ["at", "event", "client_id", "purpose", "legal_basis", "law", "claims", "reference"]
    core, driver = _stored(engine, "audit_entries", "citizen_ref", columns)
    assert driver == core
    counts = [increment("token.issued", agency="a", dimension="code", now=MOMENT)]
    with engine.begin() as connection:
        connection.execute(upsert_statement(engine.dialect.name), upsert_rows(counts)[0])
    GroupCommit(engine).commit(counts=[increment("token.issued", agency="b", dimension="code", now=MOMENT)])
    core, driver = (row[1:] for row in _stored(engine, "infra_indicators", "agency",
                                               ["agency", "day", "kind", "dimension", "count"]))
    assert driver[2:] == core[2:] if engine.dialect.name == "sqlite" else driver[1:] == core[1:]


def test_an_integrity_error_is_sqlalchemys_and_the_connection_is_reused(kinds_table):
    engine = kinds_table
    group = GroupCommit(engine)
    row = Write(sa.insert(KINDS), {"n": 7, "path": "driver"})
    group.commit([row])
    with pytest.raises(sa.exc.IntegrityError) as raised:
        group.commit([Write(sa.insert(KINDS), {"n": 8, "path": "driver"}), row])
    assert not is_unavailable(raised.value)
    assert raised.value.orig is not None and raised.value.statement is not None
    group.commit([Write(INSERT, {"n": 9, "path": "driver"})])  # rolled back: the pool's connection works
    with engine.connect() as connection:
        assert connection.scalars(sa.select(KINDS.c.n).order_by(KINDS.c.n)).all() == [7, 9]


def test_a_database_away_is_unavailable(fresh_app):
    if get_db(fresh_app).engine.dialect.name == "postgresql":
        engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                  connect_args={"connect_timeout": 1})
    else:
        engine = sa.create_engine("sqlite:////nonexistent-dir/none.db")
    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    with pytest.raises(sa.exc.SQLAlchemyError) as raised:
        group.commit([write])
    assert is_unavailable(raised.value)


def test_a_connection_lost_mid_batch_is_unavailable_and_the_pool_recovers(fresh_app, monkeypatch):
    engine = get_db(fresh_app).engine
    if engine.dialect.name != "postgresql":
        pytest.skip("a server to lose the connection to")

    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    checkout = engine.raw_connection

    def terminated():  # the server ends the connection after the checkout, before the INSERT
        raw = checkout()
        terminate_backend(raw.dbapi_connection.info.backend_pid)
        return raw

    monkeypatch.setattr(engine, "raw_connection", terminated)
    with pytest.raises(sa.exc.DBAPIError) as raised:
        group.commit([write])
    assert is_unavailable(raised.value) and raised.value.connection_invalidated
    monkeypatch.setattr(engine, "raw_connection", checkout)
    group.commit([write])  # the pool connects again
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) == 1


def test_a_watched_update_goes_through_sqlalchemy_core(fresh_app, kinds_table, monkeypatch):
    """An UPDATE not marked cache_neutral must reach the engine's events (`infra.invalidation`)."""
    engine = kinds_table
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        seen.append(sql)

    update = sa.update(KINDS).where(KINDS.c.n == sa.bindparam("key")).values(text=sa.bindparam("t"))
    neutral = update.execution_options(cache_neutral=True)
    GroupCommit(engine).commit([Write(INSERT, {"n": 1, "path": "x"})])
    sa.event.listen(engine, "before_cursor_execute", statement)
    try:
        GroupCommit(engine).commit([Write(neutral, {"key": 1, "t": "neutral"})])
        assert seen == []
        GroupCommit(engine).commit([Write(update, {"key": 1, "t": "watched"})])
        assert len(seen) == 1 and seen[0].startswith("UPDATE")
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
    with engine.connect() as connection:
        assert connection.scalar(sa.select(KINDS.c.text)) == "watched"


def test_the_request_paths_statements_take_the_driver_path(fresh_app):
    """The log entry, the grant and refresh token of /token, a consent's last use and the counts:
    none needs SQLAlchemy's execution machinery (no RETURNING, no Python-side default)."""
    from idp.audit.log import _INSERT
    from idp.consent.services import _NOTE_USE
    from idp.oidc.models import INSERT_GRANT, INSERT_REFRESH_TOKEN
    from infra.statement_plans import plan_for

    dialect = get_db(fresh_app).engine.dialect
    every = ("id", "grant_id", "token_hash", "scopes", "created_at", "expires_at", "used_at", "dpop_jkt")
    entry = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)[0]
    grant_keys = tuple(c.name for c in INSERT_GRANT.table.columns)
    for statement, keys in ((_INSERT, tuple(entry.values)), (INSERT_GRANT, grant_keys),
                            (INSERT_REFRESH_TOKEN, every), (_NOTE_USE, ("consent", "now")),
                            (upsert_statement(dialect.name), tuple(upsert_rows([increment("k")])[0]))):
        plan = plan_for(statement, keys, dialect)
        assert not plan.core, plan.sql
        assert "RETURNING" not in plan.sql


def test_direct_parameters_are_those_construct_params_gives(fresh_app):
    """A plan whose parameters are exactly its value names builds the driver's parameters
    directly (positional on SQLite, named on PostgreSQL): the same values, in the same order, as
    `construct_params` and the processors."""
    from dataclasses import replace

    from idp.audit.log import _INSERT
    from idp.consent.services import _NOTE_USE
    from idp.oidc.models import INSERT_GRANT
    from infra.statement_plans import plan_for

    dialect = get_db(fresh_app).engine.dialect
    entry = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", claims=["sub", "email"],
                                purpose="p", now=MOMENT)[0]
    grant = {c.name: None for c in INSERT_GRANT.table.columns} | {
        "id": uuid.uuid4(), "citizen_id": uuid.uuid4(), "client_id": "a", "scopes": ["openid"],
        "claims": {"userinfo": {"email": None}}, "auth_time": MOMENT, "created_at": MOMENT, "expires_at": MOMENT}
    for statement, values in ((_INSERT, dict(entry.values)), (_NOTE_USE, {"consent": uuid.uuid4(), "now": MOMENT}),
                              (INSERT_GRANT, grant)):
        plan = plan_for(statement, tuple(values), dialect)
        stock = replace(plan, direct=None, named=None)  # `construct_params`, then the processors
        if dialect.name == "sqlite":
            assert plan.direct is not None and plan.named is None
        else:  # psycopg's parameters are named
            assert plan.named is not None and plan.direct is None
        built, constructed = plan.parameters(values), stock.parameters(values)
        assert type(built) is type(constructed)
        if isinstance(built, dict):
            assert list(built) == list(constructed)
            built, constructed = list(built.values()), list(constructed.values())
        assert [_comparable(value) for value in built] == [_comparable(value) for value in constructed]
    partial = plan_for(_NOTE_USE, ("consent",), dialect)  # a parameter not among the values
    assert partial.direct is None and partial.named is None
    extra = plan_for(_NOTE_USE, ("consent", "now", "other"), dialect)  # a value the statement does not name
    assert extra.direct is None and extra.named is None


def _comparable(value):
    """psycopg's JSON wrapper (`Json`) compares by identity: its document and serializer."""
    from_json = getattr(value, "obj", None)
    return ("json", from_json, getattr(value, "dumps", None)) if type(value).__name__ == "Json" else value


def test_a_one_query_batch_leaves_its_connection_as_the_pool_expects(fresh_app):
    """PostgreSQL: the batch runs in autocommit as one simple-protocol query, BEGIN ... COMMIT
    (one round trip); whether it commits or fails, the connection is left out of autocommit and
    idle (kept for the next batch, or back in the pool), and the next transaction through
    SQLAlchemy behaves as ever."""
    engine = get_db(fresh_app).engine
    group = GroupCommit(engine)
    if engine.dialect.name != "postgresql":
        assert not group._one_query
        return
    assert group._one_query
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    group.commit([write])
    kept = group._kept
    assert kept is not None
    assert kept.dbapi_connection.autocommit is False and kept.dbapi_connection.info.transaction_status == 0
    with pytest.raises(sa.exc.ProgrammingError):
        group.commit([write, Write(sa.text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": 1})])
    assert group._kept is None
    for _ in range(engine.pool.size()):
        raw = engine.raw_connection()
        try:
            assert raw.dbapi_connection.autocommit is False
            assert raw.dbapi_connection.info.transaction_status == 0  # idle
        finally:
            raw.close()
    with engine.connect() as connection:  # SQLAlchemy's own transactions: rolled back means gone
        connection.execute(write.statement, write.values)
        connection.rollback()
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) == 1


def test_batches_keep_their_connection_until_one_fails(fresh_app):
    """The batches run on one pooled connection kept between them (no checkout per batch); a
    failed batch gives it back to the pool, and the next one checks one out again."""
    engine = get_db(fresh_app).engine
    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    group.commit([write])
    kept = group._kept
    assert kept is not None and kept.is_valid
    group.commit([write])
    assert group._kept is kept
    with pytest.raises(sa.exc.SQLAlchemyError):
        group.commit([write, Write(sa.text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": 1})])
    assert group._kept is None
    group.commit([write])
    assert group._kept is not None
    out = engine.pool.checkedout()
    group.close()  # a worker stopping: the connection goes back to the pool
    assert group._kept is None and engine.pool.checkedout() == out - 1
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) == 3


def test_a_kept_connection_goes_back_to_the_pool_now_and_then(fresh_app, monkeypatch):
    """The engine's checkout hooks run on the kept connection before every batch, and the pool
    (its recycling) sees it again at least every KEEP_SECONDS."""
    import infra.group_commit

    engine = get_db(fresh_app).engine
    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    group.commit([write])
    checkouts, hooks = [], []
    raw_connection = engine.raw_connection
    monkeypatch.setattr(engine, "raw_connection", lambda: checkouts.append(1) or raw_connection())

    def hook(*_args):
        hooks.append(1)

    sa.event.listen(engine.pool, "checkout", hook)
    try:
        group.commit([write])
        assert checkouts == [] and hooks == [1]
        monkeypatch.setattr(infra.group_commit, "KEEP_SECONDS", 0.0)
        group._kept_until = 0.0
        group.commit([write])
        assert checkouts == [1]
    finally:
        sa.event.remove(engine.pool, "checkout", hook)
        group.close()


def test_a_kept_connection_the_server_ended_is_replaced_without_an_error(fresh_app):
    """PostgreSQL: a restart, a failover or an administrator ends the kept connection between
    batches: the next batch sees it as a checkout would (`infra.db`: the socket says so),
    drops it and every connection pooled before it, and commits on a new one."""
    engine = get_db(fresh_app).engine
    if engine.dialect.name != "postgresql":
        pytest.skip("a server to end the connection")

    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    group.commit([write])
    kept = group._kept
    assert kept is not None
    ended = kept.dbapi_connection.info.backend_pid
    terminate_backend(ended)
    group.commit([write])
    assert group._kept is not None and group._kept.dbapi_connection.info.backend_pid != ended
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) == 2
    group.close()


def test_a_forked_child_never_uses_its_parents_kept_connection(fresh_app):
    """A worker forked from a process that had written: its batches check out a connection of
    their own, and the parent's (same socket) is neither used nor closed there."""
    import os

    engine = get_db(fresh_app).engine
    group = GroupCommit(engine)
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", now=MOMENT)
    group.commit([write])
    kept = group._kept
    assert kept is not None
    pid = os.fork()
    if pid == 0:  # the child: exits without running the parent's exit hooks
        status = 1
        try:
            engine.pool = engine.pool.recreate()  # the child's own pool (what a forking server does)
            inherited = group._kept is None and kept in infra_group_commit()._INHERITED
            group.commit([write])
            status = 0 if inherited and group._kept is not kept else 2
        finally:
            os._exit(status)
    _pid, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    group.commit([write])  # the parent's connection still works
    assert group._kept is kept
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM audit_entries")) == 3
    group.close()


def infra_group_commit():
    import infra.group_commit

    return infra.group_commit


def _insert_plan(app, column: sa.Column):
    """The dialect, the group commit's plan of an INSERT of `column`, and SQLAlchemy's own bind
    processor for it."""
    from infra.statement_plans import plan_for

    dialect = get_db(app).engine.dialect
    table = sa.Table(f"group_commit_{column.name}", sa.MetaData(), sa.Column("n", sa.Integer, primary_key=True),
                     column)
    plan = plan_for(sa.insert(table), (column.name,), dialect)
    return dialect, plan, column.type.dialect_impl(dialect).bind_processor(dialect)


@pytest.mark.parametrize("none_as_null", [False, True])
def test_json_values_are_serialized_as_sqlalchemys_json_processor_serializes_them(fresh_app, none_as_null):
    """SQLite: the plan's JSON processor is a quicker one; it gives what SQLAlchemy's gives."""
    dialect, plan, stock = _insert_plan(fresh_app, sa.Column("doc", sa.JSON(none_as_null=none_as_null)))
    if dialect.name != "sqlite":
        assert plan.processors["doc"] is not None
        return
    assert plan.processors["doc"] is not stock
    for value in (None, sa.JSON.NULL, sa.null(), [], {}, ["openid", "email"], {"granted": ["sub"], "n": 1.5},
                  "ação", {"é": ["\u2028", 'q"\\'], "big": 10**30, "no": False, "nan": float("nan")}, 3,
                  {"granted": ["birthdate", "sub"], "ñ": {"x": ["\x00", "ü"]}, "e": [], "z": None}, [None],
                  {1: ["a"]}, {None: "a"}, ["a", 1], ("a", "b"), {"a": ("b",)}, [["a"]], ["a", True]):
        assert plan.processors["doc"](value) == stock(value), value
    with pytest.raises(TypeError, match="not JSON serializable"):
        plan.processors["doc"]({"x": object()})


def test_datetime_values_are_written_as_sqlalchemys_sqlite_processor_writes_them(fresh_app):
    """SQLite: the plan's DATETIME processor is a quicker one; it gives what SQLAlchemy's gives
    (naive and aware values, any offset, the first and last years, dates, None) and refuses
    what it refuses."""
    import random
    from datetime import timedelta, timezone

    dialect, plan, stock = _insert_plan(fresh_app, sa.Column("at", sa.DateTime(timezone=True)))
    if dialect.name != "sqlite":
        return
    assert stock is not None and plan.processors["at"] is not stock
    moments = random.Random(16)
    values = [None, date(2020, 2, 29), datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
              datetime(2026, 12, 5, 19, 0, tzinfo=timezone(timedelta(hours=-5))), datetime.now(UTC)]
    values += [datetime.fromtimestamp(moments.uniform(-6e10, 2.5e11), UTC if n % 2 else None) for n in range(2000)]
    # One instant in several zones (equal datetimes, other wall times): each its own text.
    instant = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    values += [instant, instant.astimezone(timezone(timedelta(hours=-5))), instant.replace(tzinfo=None),
               instant.astimezone(timezone(timedelta(hours=2))), instant.replace(fold=1)]
    for value in values + values:  # the second time from the texts kept
        assert plan.processors["at"](value) == stock(value), value
    with pytest.raises(TypeError, match="SQLite DateTime type only accepts"):
        plan.processors["at"]("2026-12-05")
