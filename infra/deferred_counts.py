"""Deferred counts: the indicator increments of events that have no transaction of their own
(an authorization request answered, a client credentials token issued) or whose transaction
has committed already (a code exchanged), added up in memory and written together, at most
`DELAY_SECONDS` after the first of them.

Such an event used to wait for a transaction of its own (through the group commit) before
its answer left, although nothing about the answer depends on the count, and the count never
failed the request. That transaction was half the cost of `/authorize` (issue 16). Now a
request adds its increments to the process's totals (a dictionary update under a lock) and
goes on; one writer thread adds the totals to the database, in one UPSERT per key, through the
group commit, then stops until the next count.

What it costs the numbers:
- a count is in the database within about a second (the page, the API and the CLI export
  read the database; `flush_pending` writes this process's totals for that database first,
  so a reader in the same process sees its own counts at once);
- a count that cannot be written (the database away) is kept and written with the next
  attempt, which comes later and later (up to `MAX_DELAY_SECONDS`) while it keeps failing; a
  warning is logged at each failure (a write that raises rather than report it, a bug, is a
  failure too: its counts are kept, and a writer always runs while counts wait);
- a process killed outright (SIGKILL, a power loss) loses the counts of its last second. A
  process that stops gracefully writes them on its way out (`flush_all`, called by `cedula
  serve`'s workers, and at interpreter exit).

The code exchange at `/token` hands its counts (the sign-in's level and authenticator, the
token issued) over only once its grant, refresh token and log entry are committed: a grant
that fails is not counted. Other counts that belong to an event's own transaction
(`infra.indicators.tally`: a document issued, a consent given) are not deferred: they commit
or roll back with their event.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy.engine import Connection, Engine

from infra.indicators import Increment

log = logging.getLogger(__name__)

DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0

_Key = tuple[date, str, str, str]


class DeferredCounts:
    """One process's counts not yet written to one database, and the thread that writes them.

    `write` commits increments and says whether it could (`GroupCommit.count`: it logs the
    failure); its increments are the totals, one per key."""

    def __init__(self, write: Callable[[list[Increment]], bool], *, engine: Engine,
                 delay: float = DELAY_SECONDS) -> None:
        self._write = write
        self.engine = engine
        self._delay = delay
        self._totals: dict[_Key, int] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one write at a time: totals are never written twice
        self._writer: threading.Thread | None = None
        _LIVE.add(self)

    def add(self, counts: Iterable[Increment]) -> None:
        """Count `counts`; they are written within `delay` seconds (later while the database
        refuses them)."""
        with self._lock:
            totals = self._totals
            for count in counts:
                if count.by:
                    key = (count.day, count.agency, count.kind, count.dimension)
                    totals[key] = totals.get(key, 0) + count.by
            if totals and self._writer is None:
                self._writer = threading.Thread(target=self._write_soon, name="cedula-deferred-counts",
                                                daemon=True)
                self._writer.start()

    @property
    def pending(self) -> dict[tuple[date, str, str, str], int]:
        """What waits to be written: (day, agency, kind, dimension) -> count."""
        with self._lock:
            return dict(self._totals)

    def flush(self) -> bool:
        """Write what is pending now; False if the database refused (the counts are kept)."""
        with self._flushing:
            with self._lock:
                taken, self._totals = self._totals, {}
            if not taken:
                return True
            increments = [Increment(day=day, agency=agency, kind=kind, dimension=dimension, by=by)
                          for (day, agency, kind, dimension), by in taken.items()]
            try:
                if self._write(increments):
                    return True
            except Exception:  # not one `write` reports (a bug): the counts are kept all the same
                log.exception("indicator counts not written")
            with self._lock:  # kept for the next attempt, with what came meanwhile
                for key, by in taken.items():
                    self._totals[key] = self._totals.get(key, 0) + by
            return False

    def _write_soon(self) -> None:
        """The writer thread: wait, write, and stop once nothing is left (the next count
        starts a new one), waiting longer after each failure."""
        delay = self._delay
        try:
            while True:
                time.sleep(delay)
                written = self.flush()
                delay = self._delay if written else min(delay * 2, MAX_DELAY_SECONDS)
                with self._lock:
                    if not self._totals:
                        self._writer = None
                        return
        except BaseException:  # never a writer marked running that is gone: the next count starts one
            with self._lock:
                self._writer = None
            raise

    def _after_fork(self) -> None:
        """In a forked child: the parent's totals are the parent's to write; no writer runs here."""
        self._totals = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._writer = None


# The deferred counts of this process (each app's group commit has its own).
_LIVE: weakref.WeakSet[DeferredCounts] = weakref.WeakSet()


def flush_pending(bind: Engine | Connection) -> None:
    """Before reading counts from `bind`'s database: write what this process holds for it."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    for deferred in list(_LIVE):
        if deferred.engine is engine:
            deferred.flush()


def flush_all() -> None:
    """Write every pending count of this process (a worker stopping gracefully)."""
    for deferred in list(_LIVE):
        deferred.flush()


def _after_fork_in_child() -> None:
    for deferred in list(_LIVE):
        deferred._after_fork()


atexit.register(flush_all)
os.register_at_fork(after_in_child=_after_fork_in_child)
