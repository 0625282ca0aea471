"""Group commit: the small writes of concurrent requests committed together, in one transaction
that each of them waits for.

A request whose only writes are appends (a data-sharing log entry, an indicator increment, a
"last used" time) hands them to `GroupCommit.commit` and is answered only once they are
committed, as if it had its own transaction: a failure (the database away) is raised in every
request of the batch, so "no log entry, no data" holds. What differs is the cost: the first
request to arrive leads, takes every write queued so far, runs them in one transaction (one
`executemany` per statement, the indicator increments added up into one UPSERT for the batch)
and wakes the others; requests that arrive meanwhile queue for the next batch. Under load one
commit (and one connection checkout, one BEGIN, one round trip per statement) serves many
requests; alone, a request pays what its own transaction would.

Each process batches its own requests; processes never wait for each other here (the data
sharing log's entries are written pending and chained by the sealer under the chain head's
lock, `idp.audit.seal`), so this holds with any number of workers, on SQLite and PostgreSQL.

Only plain appends belong here: writes that must see or lock rows of the request's own reads
go in the request's transaction. An append may be conditional on a row read in the batch's own
transaction (a release's log entry on its consent still in force): the database refuses it
(an integrity error) and `Write.refused` names the request's own error for it. A batch that
one request's write breaks (an integrity error: a row its foreign key names was deleted
meanwhile; a value the column or the driver refuses) is run again one request at a time, each
in a transaction of its own, so that the request at fault fails alone and the others commit; a
batch the database did not answer (`infra.db.is_unavailable`) fails every request at once.

The batch runs on the driver's own connection (a pooled one, `Engine.raw_connection`), not
through SQLAlchemy's execution machinery, which cost three times the INSERT and COMMIT
themselves: each statement is compiled once per key set of its values (`Plan`: the SQL text,
the parameter order and the dialect's bind processors, so that the values stored are those
SQLAlchemy itself would send), then `execute`/`executemany` and `commit`. A driver's error is
raised as SQLAlchemy would raise it (`sqlalchemy.exc.DBAPIError.instance`: IntegrityError,
OperationalError, with `connection_invalidated` and the pool emptied when the connection was
lost), so callers and `infra.db.is_unavailable` see no difference. A statement that a cache
watches (an UPDATE or DELETE not marked `cache_neutral`, `infra.invalidation`) or that needs
SQLAlchemy at execution (Python-side defaults to compute, expanding parameters) makes its batch
run through SQLAlchemy Core, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection

from infra.components import Slot
from infra.db import get_db, is_unavailable, pg_literal_statements
from infra.deferred_counts import DeferredCounts, flush_all
from infra.indicators import Increment, add_up, upsert_rows, upsert_statement
from infra.statement_plans import MAX_PLANS, Plan, PlanKey, plan_for

log = logging.getLogger(__name__)

# Waiting requests beyond this join the next batch (bounds one transaction's size).
MAX_BATCH = 256


@dataclass(frozen=True, init=False)
class Write:
    """One statement (built once, values bound) and its values. (`__init__`: the dataclass's,
    filling the instance dict at once, without the frozen dataclass's setattr per field: two or
    three per /token and UserInfo, issue 16.)"""

    statement: sa.Executable
    values: Mapping[str, Any]
    # A conditional write's own refusal: given the error its request failed with, the error the
    # request raises instead (None: that error was not this write's). A write that must not be
    # committed once a row no longer holds (a release entry whose consent was withdrawn, checked
    # under a lock in the batch's transaction) fails its request alone with it (`GroupCommit.commit`).
    refused: Callable[[BaseException], BaseException | None] | None = None

    def __init__(self, statement: sa.Executable, values: Mapping[str, Any],
                 refused: Callable[[BaseException], BaseException | None] | None = None) -> None:
        self.__dict__.update(statement=statement, values=values, refused=refused)


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE (psycopg is imported only for PostgreSQL)

# A kept connection goes back to the pool at least this often (`pool_recycle` applies to it).
KEEP_SECONDS = 1.0

def _held() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass
class _Request:
    writes: Sequence[Write]
    counts: Sequence[Increment]
    done: bool = False
    error: BaseException | None = None
    # For a request that waits (another leads): held from the start, released once to wake
    # the request's thread when its batch is committed or it is handed the lead (only that
    # thread waits on it). None for a request that leads at once: no one ever waits on it.
    wake: threading.Lock | None = None


@dataclass(eq=False)  # one per engine, compared by identity (and kept in a WeakSet)
class GroupCommit:
    """The batching of one process's appends to one database."""

    engine: Engine
    _queue: list[_Request] = field(default_factory=list)
    _leading: bool = False
    _mutex: threading.Lock = field(default_factory=threading.Lock)
    # Batches committed and requests served (read by tests and the benchmark).
    batches: int = 0
    served: int = 0
    _plans: dict[PlanKey, Plan] = field(default_factory=dict)
    # PostgreSQL through psycopg 3: each batch is one simple-protocol query (`_as_one_query`).
    _one_query: bool = field(init=False, default=False)
    # Counts of events without a transaction of their own, written within a second.
    deferred: DeferredCounts = field(init=False)
    # The batches' pooled connection, kept between batches (only the leader uses it): a checkout
    # and a checkin cost a third of a batch of one on SQLite, 10-30 µs a batch on PostgreSQL.
    # Checked before each batch as a checkout would (`_still_good`); given back on any error,
    # every KEEP_SECONDS and at exit (`close`). Not with `pool_pre_ping` (a round trip a checkout).
    _keep: bool = field(init=False, default=False)
    _kept: PoolProxiedConnection | None = field(init=False, default=None, repr=False)
    _kept_until: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        dialect = self.engine.dialect
        self._one_query = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.deferred = DeferredCounts(self.count, engine=self.engine)
        self._keep = (dialect.name == "sqlite" or self._one_query) and not getattr(self.engine.pool, "_pre_ping", False)
        _LIVE.add(self)

    def close(self) -> None:
        """Give the kept connection back to the pool (a worker stopping; also at exit)."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()

    def _after_fork(self) -> None:
        """In a forked child the parent's connection (its socket) is neither used nor closed nor
        left to the garbage collector (the pool would roll it back on that socket): kept aside."""
        kept, self._kept = self._kept, None
        if kept is not None:
            _INHERITED.append(kept)

    def commit(self, writes: Sequence[Write] = (), counts: Sequence[Increment] = ()) -> None:
        """Commit `writes` (in order) and `counts`, with those of concurrent callers; return
        once they are committed, raise what made the batch fail otherwise.

        Each waiting thread sleeps on its own lock and is woken once: when its batch is
        committed, or when the leader hands it the lead (one waiter, the oldest) — never all
        of them after every batch, which cost more under load than the transactions did."""
        if not writes and not counts:
            return
        mine = _Request(writes=writes, counts=counts)
        with self._mutex:
            lead = not self._leading
            if not lead:
                mine.wake = wake = _held()
            self._queue.append(mine)
            self._leading = True
        if not lead:
            wake.acquire()  # committed, or handed the lead
        while not mine.done:
            with self._mutex:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                self._run(batch)
            finally:
                if mine.done or not batch:
                    self._pass_the_lead()
        if mine.error is not None:
            raise _refusal(mine)

    def _pass_the_lead(self) -> None:
        """The leader is done: the oldest waiter leads the next batch, or no one leads."""
        with self._mutex:
            if self._queue:
                # A waiter: a request that led at once was the first of an empty queue, so
                # its own batch took it.
                cast(threading.Lock, self._queue[0].wake).release()
            else:
                self._leading = False

    def count_soon(self, counts: Sequence[Increment]) -> None:
        """Indicator increments of a request that writes nothing else: added up in memory
        and written within a second, without the request waiting (`infra.deferred_counts`)."""
        self.deferred.add(counts)

    def count(self, counts: Sequence[Increment]) -> bool:
        """Indicator increments committed now (`commit` with only `counts`), never failing the
        caller: False, and a warning, when the database refused (as
        `infra.indicators.tally_apart`)."""
        try:
            self.commit(counts=counts)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("indicator not counted", extra={
                "kind": ",".join(sorted({c.kind for c in counts})),
                "error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__})
            return False
        return True

    def _run(self, batch: list[_Request]) -> None:
        """One transaction for the batch: each statement once with every value set, in the
        order of first appearance, then the increments added up per key."""
        try:
            error = self._transaction(batch)
            errors = [error] * len(batch)
            if error is not None and len(batch) > 1 and not is_unavailable(error):
                # A request's own write refused (a key, a value out of range): the one at fault
                # fails alone. An outage fails them all at once (no transaction per request).
                errors = [self._transaction([request]) for request in batch]
        except BaseException as exc:  # raised, not returned (a bug): no request left asleep, the lead passed on
            errors = [exc] * len(batch)
        with self._mutex:
            self.batches += 1
            self.served += len(batch)
        for request, failed in zip(batch, errors, strict=True):
            request.error = failed
            request.done = True
            if request.wake is not None:  # (the leader's own request has none)
                request.wake.release()

    def _transaction(self, batch: list[_Request]) -> BaseException | None:
        """Commit the writes and counts of `batch` in one transaction; what made it fail."""
        if len(batch) == 1 and not batch[0].counts:
            return self._alone(batch)
        return self._grouped(batch)

    def _grouped(self, batch: list[_Request]) -> BaseException | None:
        """`_transaction`: each statement once with every value set, then the counts."""
        grouped: dict[PlanKey, tuple[Plan, list[Mapping[str, Any]]]] = {}
        try:
            for request in batch:
                for write in request.writes:
                    key = (id(write.statement), tuple(write.values))
                    entry = grouped.get(key)
                    if entry is None:
                        entry = grouped[key] = (self._plan_of(key, write.statement), [])
                    entry[1].append(write.values)
            rows = upsert_rows(count for request in batch for count in request.counts)
            if any(plan.core for plan, _values in grouped.values()):
                return self._core_transaction(batch)
            calls = [(plan, [plan.parameters(values) for values in value_sets])
                     for plan, value_sets in grouped.values()]
            if rows:
                plan = self._plan_of((id(self._upsert), tuple(rows[0])), self._upsert)
                calls.append((plan, [plan.parameters(row) for row in rows]))
        except BaseException as exc:  # every request of the batch answers for it
            return exc
        return self._run_on_driver(calls)

    def _alone(self, batch: list[_Request]) -> BaseException | None:
        """`_transaction` for a batch of one request without counts (a request alone: the usual
        case unloaded): its writes in order, one call each, without grouping them. A request
        with two writes of one statement (and one set of value names) is grouped as
        `_transaction` groups it (one `executemany`, at the first one's place)."""
        writes = batch[0].writes
        plans = self._plans
        calls: list[tuple[Plan, list[Any]]] = []
        seen: set[PlanKey] = set()
        try:
            for write in writes:
                statement = write.statement
                values = write.values
                key = (id(statement), tuple(values))
                if key in seen:
                    return self._grouped(batch)
                seen.add(key)
                plan = plans.get(key)
                if plan is None or plan.statement is not statement:
                    plan = self._plan_of(key, statement)
                if plan.core:
                    return self._core_transaction(batch)
                calls.append((plan, [plan.parameters(values)]))
        except BaseException as exc:  # the request answers for it
            return exc
        return self._run_on_driver(calls)

    @property
    def _upsert(self) -> sa.Executable:
        return upsert_statement(self.engine.dialect.name)

    def _plan_of(self, key: PlanKey, statement: sa.Executable) -> Plan:
        plan = self._plans.get(key)
        if plan is None or plan.statement is not statement:
            if len(self._plans) >= MAX_PLANS:
                self._plans.clear()
            plan = self._plans[key] = plan_for(statement, key[1], self.engine.dialect)
        return plan

    def _still_good(self, connection: PoolProxiedConnection) -> bool:
        """What a checkout checks of the kept connection: valid, not older than a pool-wide
        invalidation, kept less than KEEP_SECONDS, the engine's checkout hooks satisfied
        (`infra.db`: the server has not closed it; a refusal invalidates as the pool does)."""
        record = getattr(connection, "_connection_record", None)
        if not connection.is_valid or record is None or time.monotonic() > self._kept_until:
            return False
        pool = self.engine.pool
        if record.starttime < getattr(pool, "_invalidate_time", 0):
            return False
        if pool.dispatch.checkout:
            try:
                pool.dispatch.checkout(connection.dbapi_connection, record, connection)
            except sa.exc.DisconnectionError as exc:  # as the pool's checkout handles it
                if exc.invalidate_pool:
                    pool._invalidate(connection, exc, _checkin=False)  # every connection made before now
                connection.invalidate(exc)
                return False
        return True

    def _checked_out(self) -> PoolProxiedConnection:
        """The kept connection if it is still good, else one checked out of the pool."""
        kept = self._kept
        if kept is not None:
            self._kept = None
            if self._still_good(kept):
                return kept
            kept.close()  # back to the pool, which recycles or drops it
        connection = self.engine.raw_connection()
        self._kept_until = time.monotonic() + KEEP_SECONDS
        return connection

    def _run_on_driver(self, calls: list[tuple[Plan, list[Any]]]) -> BaseException | None:
        """The statements in one transaction on a pooled driver connection, then COMMIT."""
        dialect = self.engine.dialect
        try:
            connection = self._checked_out()
        except BaseException as exc:
            return self._wrapped(exc, None, None, invalidated=False)
        run = self._as_one_query if self._one_query else self._one_by_one
        where: list[Any] = [None, None, None]  # the statement, its parameters, the cursor
        driver = connection.dbapi_connection
        try:
            run(connection, calls, where)
        except BaseException as exc:
            lost = isinstance(exc, dialect.loaded_dbapi.Error) and dialect.is_disconnect(exc, driver, where[2])
            if lost:
                # As SQLAlchemy does: this connection and every one pooled before it are dropped.
                self.engine.pool._invalidate(connection, exc)
            else:
                self._reset(connection)
            connection.close()
            return self._wrapped(exc, where[0], where[1], invalidated=lost)
        if self._keep:
            self._kept = connection
        else:
            connection.close()
        return None

    @staticmethod
    def _one_by_one(connection: PoolProxiedConnection, calls: list[tuple[Plan, list[Any]]],
                    where: list[Any]) -> None:
        """One round trip per statement (the driver begins the transaction), then COMMIT, on
        the driver's connection itself (the pool's proxy would only pass the calls on)."""
        driver = connection.dbapi_connection
        assert driver is not None  # a checked-out connection
        cursor = where[2] = driver.cursor()
        try:
            for plan, parameters in calls:
                if len(parameters) > 1:
                    where[0], where[1] = plan.sql, parameters
                    cursor.executemany(plan.sql, parameters)
                else:
                    where[0], where[1] = plan.sql, parameters[0]
                    cursor.execute(plan.sql, parameters[0])
            where[0], where[1] = "COMMIT", None
            driver.commit()
        finally:
            cursor.close()

    @staticmethod
    def _as_one_query(connection: PoolProxiedConnection, calls: list[tuple[Plan, list[Any]]],
                      where: list[Any]) -> None:
        """PostgreSQL: BEGIN, every statement (once per value set) and COMMIT sent as one query
        text, one round trip for the batch. The values are bound on the client as psycopg's
        `ClientCursor.mogrify` binds them (each value quoted and escaped by libpq for this
        connection, with the dumpers the server-side binding uses; the common values written
        as it writes them, without its per-value Python: `infra.db.pg_literal_statements`).
        The text goes to libpq's PQexec itself (`_exec`: the simple protocol, one message and
        one answer; the GIL released while it waits), not through a psycopg cursor, whose
        generators, autocommit switches and result handling cost more of this process's CPU
        than the round trip (issue 16). psycopg sends no BEGIN of its own for it (it is not
        asked to run anything), and the transaction is the explicit BEGIN ... COMMIT: as
        durable as any other (`synchronous_commit` unchanged). The server runs the statements
        in order and stops at the first error (the COMMIT after it is not run): the error is
        raised as psycopg raises it, the transaction rolled back. Errors name the statements
        without their values (`hide_parameters` holds)."""
        driver = connection.dbapi_connection
        assert driver is not None
        where[0] = ";\n".join(plan.sql for plan, _parameters in calls)
        try:
            statement = _literal_writer(connection)
            parts = ["BEGIN"]
            for plan, parameters in calls:
                sql = plan.sql
                parts.extend([statement(sql, values) for values in parameters])
            parts.append("COMMIT")
            _exec(driver, ";\n".join(parts))
        except BaseException:
            try:
                if driver.info.transaction_status != _IDLE:
                    driver.rollback()  # the failed batch's transaction (the server stopped at its error)
            except BaseException:  # a lost connection: never pooled again (the error is raised below)
                connection.invalidate()
            raise

    @staticmethod
    def _reset(connection: PoolProxiedConnection) -> None:
        """Roll back a failed batch; a connection that cannot be rolled back (or is left in
        autocommit) is dropped rather than pooled."""
        if not connection.is_valid:
            return
        try:
            connection.rollback()
            driver = connection.dbapi_connection
            if driver is not None and getattr(driver, "autocommit", False):
                driver.autocommit = False
        except BaseException:
            connection.invalidate()

    def _wrapped(self, exc: BaseException, sql: str | None, params: Any, *, invalidated: bool) -> BaseException:
        """A driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...)."""
        dialect = self.engine.dialect
        if not isinstance(exc, dialect.loaded_dbapi.Error):
            return exc
        wrapped = sa.exc.DBAPIError.instance(
            sql, params, cast(Exception, exc), dialect.loaded_dbapi.Error,
            hide_parameters=self.engine.hide_parameters, connection_invalidated=invalidated, dialect=dialect)
        wrapped.__cause__ = exc
        return wrapped

    def _core_transaction(self, batch: list[_Request]) -> BaseException | None:
        """The batch through SQLAlchemy Core (statements the driver path does not take)."""
        grouped: dict[PlanKey, tuple[sa.Executable, list[Mapping[str, Any]]]] = {}
        for request in batch:
            for write in request.writes:
                key = (id(write.statement), tuple(write.values))
                grouped.setdefault(key, (write.statement, []))[1].append(write.values)
        counts = [count for request in batch for count in request.counts]
        try:
            with self.engine.begin() as connection:
                for statement, values in grouped.values():
                    connection.execute(statement, values if len(values) > 1 else values[0])
                add_up(connection, counts)
        except BaseException as exc:  # every request of the batch answers for it
            return exc
        return None


# The literal writer of a pooled psycopg connection (`infra.db.pg_literal_statements`), made
# once per connection and kept in its pool record's `info` (dropped with the connection).
_LITERALS = "cedula.group_commit.literals"


def _literal_writer(connection: PoolProxiedConnection) -> Any:
    """`pg_literal_statements` for this pooled connection, made at its first batch; psycopg's
    own `ClientCursor.mogrify` for the values it does not write itself."""
    info = connection.info
    writer = info.get(_LITERALS)
    if writer is None:
        from psycopg import ClientCursor  # PostgreSQL only

        driver = cast(Any, connection.dbapi_connection)

        def mogrify(sql: str, values: Mapping[str, Any]) -> str:
            with ClientCursor(driver) as cursor:
                return cursor.mogrify(sql, values)

        writer = info[_LITERALS] = pg_literal_statements(driver, mogrify)
    return writer


def _exec(driver: Any, query: str) -> None:
    """`query` (one or more statements, no parameters) run by libpq's PQexec on the psycopg
    connection `driver`, under its lock; a failure raised as psycopg raises it (`errors`:
    IntegrityError, ProgrammingError, OperationalError for a lost connection, ...)."""
    from psycopg import errors, pq  # PostgreSQL only

    with driver.lock:
        result = driver.pgconn.exec_(query.encode())
    if result.status in (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.NONFATAL_ERROR, pq.ExecStatus.BAD_RESPONSE):
        raise errors.error_from_result(result, encoding=driver.info.encoding)


def _refusal(request: _Request) -> BaseException:
    """The error `request` raises: its failed write's own refusal (`Write.refused`), if any."""
    error = cast(BaseException, request.error)
    for write in request.writes:
        if write.refused is not None:
            refusal = write.refused(error)
            if refusal is not None:
                refusal.__cause__ = error
                return refusal
    return error


GROUP_COMMIT: Slot[GroupCommit] = Slot("group commit")

# Every group commit of this process; the connections a forked child inherited (`_after_fork`).
_LIVE: weakref.WeakSet[GroupCommit] = weakref.WeakSet()
_INHERITED: list[PoolProxiedConnection] = []


def close_all() -> None:
    """A worker stopping: the counts still held written, then every kept connection given back."""
    flush_all()
    for group in list(_LIVE):
        group.close()


def _after_fork_in_child() -> None:
    for group in list(_LIVE):
        group._after_fork()


atexit.register(close_all)  # registered after deferred_counts' flush: runs before it, so flushes first
os.register_at_fork(after_in_child=_after_fork_in_child)


def init_app(app: Flask) -> GroupCommit:
    return GROUP_COMMIT.install(app, GroupCommit(get_db(app).engine))


def get_group_commit(app: Flask | None = None) -> GroupCommit:
    """The group commit of `app`'s database (default: the current application)."""
    return GROUP_COMMIT.of(app)
