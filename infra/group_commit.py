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
go in the request's transaction. A batch that one request's write breaks (an integrity error:
a row its foreign key names was deleted meanwhile) is run again one request at a time, each in
a transaction of its own, so that the request at fault fails alone and the others commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from infra.components import Slot
from infra.db import get_db
from infra.indicators import Increment, add_up

log = logging.getLogger(__name__)

# Waiting requests beyond this join the next batch (bounds one transaction's size).
MAX_BATCH = 256


@dataclass(frozen=True)
class Write:
    """One statement (built once, values bound) and its values."""

    statement: sa.Executable
    values: Mapping[str, Any]


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
    # Held from the start; released once to wake the request's thread: when its batch is
    # committed, or when it is handed the lead (only that thread waits on it).
    wake: threading.Lock = field(default_factory=_held)


@dataclass
class GroupCommit:
    """The batching of one process's appends to one database."""

    engine: Engine
    _queue: list[_Request] = field(default_factory=list)
    _leading: bool = False
    _mutex: threading.Lock = field(default_factory=threading.Lock)
    # Batches committed and requests served (read by tests and the benchmark).
    batches: int = 0
    served: int = 0

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
            self._queue.append(mine)
            lead = not self._leading
            self._leading = True
        if not lead:
            mine.wake.acquire()  # committed, or handed the lead
        while not mine.done:
            with self._mutex:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                self._run(batch)
            finally:
                if mine.done or not batch:
                    self._pass_the_lead()
        if mine.error is not None:
            raise mine.error

    def _pass_the_lead(self) -> None:
        """The leader is done: the oldest waiter leads the next batch, or no one leads."""
        with self._mutex:
            if self._queue:
                self._queue[0].wake.release()
            else:
                self._leading = False

    def count(self, counts: Sequence[Increment]) -> bool:
        """Indicator increments of a request that writes nothing else (`commit` with only
        `counts`), which never fails the request: False, and a warning, when the database
        refused (as `infra.indicators.tally_apart`)."""
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
        error = self._transaction(batch)
        errors = [error] * len(batch)
        if isinstance(error, sa.exc.IntegrityError) and len(batch) > 1:
            errors = [self._transaction([request]) for request in batch]  # the one at fault fails alone
        with self._mutex:
            self.batches += 1
            self.served += len(batch)
        for request, failed in zip(batch, errors, strict=True):
            request.error = failed
            request.done = True
            request.wake.release()  # the leader's own lock too: no one waits on it any more

    def _transaction(self, batch: list[_Request]) -> BaseException | None:
        """Commit the writes and counts of `batch` in one transaction; what made it fail."""
        grouped: dict[int, tuple[sa.Executable, list[Mapping[str, Any]]]] = {}
        for request in batch:
            for write in request.writes:
                grouped.setdefault(id(write.statement), (write.statement, []))[1].append(write.values)
        counts = [count for request in batch for count in request.counts]
        try:
            with self.engine.begin() as connection:
                for statement, values in grouped.values():
                    connection.execute(statement, values if len(values) > 1 else values[0])
                add_up(connection, counts)
        except BaseException as exc:  # every request of the batch answers for it
            return exc
        return None


GROUP_COMMIT: Slot[GroupCommit] = Slot("group commit")


def init_app(app: Flask) -> GroupCommit:
    return GROUP_COMMIT.install(app, GroupCommit(get_db(app).engine))


def get_group_commit(app: Flask | None = None) -> GroupCommit:
    """The group commit of `app`'s database (default: the current application)."""
    return GROUP_COMMIT.of(app)
