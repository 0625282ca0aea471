"""infra.deferred_counts under failure and flood: a write that raises (not only one that
reports False) loses no count and leaves a writer to try again; a flood of counts holds one
total per key; a graceful stop racing the writer writes every count once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from infra.deferred_counts import DeferredCounts
from infra.indicators import Increment, increment

DAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _until(check: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.01)


class _Database:
    """A write that raises `failures` times (a bug, an error `GroupCommit.count` does not catch),
    then commits."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.written: dict[tuple[Any, ...], int] = {}
        self.lock = threading.Lock()

    def write(self, increments: list[Increment]) -> bool:
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("not an SQLAlchemy error")
            for count in increments:
                key = (count.agency, count.kind, count.dimension)
                self.written[key] = self.written.get(key, 0) + count.by
        return True

    def total(self) -> int:
        with self.lock:
            return sum(self.written.values())


def test_a_write_that_raises_keeps_the_counts_and_the_writer_tries_again():
    database = _Database(failures=1)
    deferred = DeferredCounts(database.write, engine=object(), delay=0.01)  # type: ignore[arg-type]
    deferred.add([increment("token.issued", agency="a", now=DAY)])
    _until(lambda: database.total() == 1)
    assert deferred.pending == {}
    # The writer that met the error is gone and a new count starts a new one.
    deferred.add([increment("token.issued", agency="a", now=DAY)])
    _until(lambda: database.total() == 2)


def test_a_flush_that_raises_keeps_the_counts_for_a_reader():
    """`flush_pending` (a reader in a request) and `flush_all` (a stop) call `flush`: a raising
    write is a failed flush (False), the counts kept, not an exception in the reader."""
    database = _Database(failures=1)
    deferred = DeferredCounts(database.write, engine=object(), delay=3600)  # type: ignore[arg-type]
    deferred.add([increment("token.issued", agency="a", now=DAY)])
    assert deferred.flush() is False
    assert sum(deferred.pending.values()) == 1
    assert deferred.flush() is True and database.total() == 1


def test_a_flood_holds_one_total_per_key():
    database = _Database()
    deferred = DeferredCounts(database.write, engine=object(), delay=3600)  # type: ignore[arg-type]
    counts = [increment("funnel.authorization", agency=f"agency-{n % 10}", dimension="authorize", now=DAY)
              for n in range(100)]
    for _ in range(1000):
        deferred.add(counts)
    assert len(deferred.pending) == 10 and sum(deferred.pending.values()) == 100_000


def test_counts_added_while_threads_flush_are_written_once():
    database = _Database()
    deferred = DeferredCounts(database.write, engine=object(), delay=0.001)  # type: ignore[arg-type]
    one = [increment("token.issued", agency="a", now=DAY)]
    stop = threading.Event()

    def flusher() -> None:
        while not stop.is_set():
            deferred.flush()

    def adder() -> None:
        for _ in range(2000):
            deferred.add(one)

    threads = [threading.Thread(target=flusher) for _ in range(2)] + [threading.Thread(target=adder) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads[2:]:
        thread.join()
    stop.set()
    for thread in threads[:2]:
        thread.join()
    deferred.flush()  # the graceful stop
    assert database.total() == 8000 and deferred.pending == {}
