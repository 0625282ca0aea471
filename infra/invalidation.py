"""Per-process caches of database rows that every process of the deployment invalidates at once.

A worker may keep rows it reads on every request (a client's registration, a grant and its
citizen, a standing consent) in its own memory, if it learns of every change to them before
it would use them again. The changes come from any worker on any machine, so the news goes
through the shared ephemeral store (Redis; the in-process store when there is one process):

- every process watches its engine: a committed UPDATE or DELETE on a watched table sets a
  new random value in the store, the *generation*, after the commit (when the connection goes
  back to the pool, or begins its next transaction). Inserts do not: caches keep only rows
  they found, and a new row makes no kept row wrong (a row it replaces is updated or deleted);
- a cache entry remembers the generation it was read under and is used only while the store
  still says that generation (one store read per request covers every cache: the caller reads
  the generation once and passes it on), and never longer than its own `seconds`.

Read the generation *before* the rows, and bump it *after* the commit: then a reader that
raced a writer either saw the new rows or stamped the old ones with a generation the bump has
already made stale. Writes made outside this code (a DBA's `psql`) are seen within `seconds`.
A statement run with the execution option `cache_neutral=True` changes nothing any cache keeps
(e.g. a "last used" time) and bumps nothing. A store that cannot be read means no cache: the
rows are read from the database.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from infra.store.base import EphemeralStore, StoreError

log = logging.getLogger(__name__)

GENERATION_KEY = "cache:generation"
# Each generation is a new random value, so no two are alike, even after the key expired.
GENERATION_TTL = 30 * 86400
NO_GENERATION = b""  # the store could not be read: no cache entry is used or kept

_DIRTY = "cedula_cache_dirty"
_COMMITTED = "cedula_cache_committed"


class Invalidation:
    """The generation of one store, and the engines whose writes advance it."""

    def __init__(self, store: EphemeralStore) -> None:
        self.store = store
        self.tables: set[str] = set()
        self._engines: set[int] = set()
        self._lock = threading.Lock()

    def watch(self, engine: Engine, tables: Iterable[str]) -> None:
        """Bump the generation after each commit that updated or deleted rows of `tables`."""
        with self._lock:
            self.tables.update(tables)
            if id(engine) in self._engines:
                return
            self._engines.add(id(engine))
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "rollback", self._rollback)
        sa.event.listen(engine, "begin", self._begin)
        sa.event.listen(engine.pool, "checkin", self._checkin)

    def generation(self) -> bytes:
        """The current generation (one store read), or NO_GENERATION if the store is down."""
        try:
            return self.store.get(GENERATION_KEY) or b"0"
        except StoreError:
            return NO_GENERATION

    def bump(self) -> None:
        try:
            self.store.set(GENERATION_KEY, secrets.token_bytes(12), GENERATION_TTL)
        except StoreError:
            # The change is committed; caches elsewhere see it within their `seconds`.
            log.warning("cache generation not advanced: the store is unavailable")

    # Engine events. `conn.info` is the pooled DBAPI connection's own dictionary (the same
    # one the pool's checkin event sees as `record.info`).

    def _statement(self, conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any,
                   _executemany: bool) -> None:
        if context is None or not (context.isupdate or context.isdelete):
            return
        if context.execution_options.get("cache_neutral"):
            return
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        if getattr(table, "name", None) in self.tables:
            conn.info[_DIRTY] = True

    @staticmethod
    def _commit(conn: Any) -> None:
        if conn.info.pop(_DIRTY, False):
            conn.info[_COMMITTED] = True  # bumped once the commit is done (checkin or next begin)

    @staticmethod
    def _rollback(conn: Any) -> None:
        conn.info.pop(_DIRTY, None)

    def _begin(self, conn: Any) -> None:
        if conn.info.pop(_COMMITTED, False):
            self.bump()

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            self.bump()


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class GenerationCache(Generic[K, V]):
    """key -> value, each entry valid while its generation is current and for `seconds` at
    most. Values are shared between threads: keep them immutable (frozen, detached rows)."""

    def __init__(self, *, seconds: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[K, tuple[bytes, float, V]] = {}

    def get(self, key: K, generation: bytes) -> V | None:
        if self.seconds <= 0 or generation == NO_GENERATION:
            return None
        entry = self._entries.get(key)
        if entry is None or entry[0] != generation or entry[1] <= self.clock():
            return None
        return entry[2]

    def put(self, key: K, value: V, generation: bytes) -> None:
        if self.seconds <= 0 or generation == NO_GENERATION:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (generation, self.clock() + self.seconds, value)

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
