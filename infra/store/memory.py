"""The in-process store: one process only (the embedded default)."""

from __future__ import annotations

import builtins
import heapq
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from infra.atomic_write import write_atomically
from infra.store import snapshot
from infra.store.base import EphemeralStore, GuardRefused, TakeGuard, link

log = logging.getLogger(__name__)


class _Mark:
    """A `take_and_mark` mark not yet read: the string `field` of the JSON object `source`,
    decoded only when the mark is read (a replay, a snapshot), not on every take (issue 16)."""

    __slots__ = ("field", "source")

    def __init__(self, source: bytes, field: str) -> None:
        self.source = source
        self.field = field

    def value(self) -> bytes:
        return str(json.loads(self.source)[self.field]).encode("utf-8")


def _resolved(value: object) -> object:
    return value.value() if isinstance(value, _Mark) else value


class MemoryStore(EphemeralStore):
    """A thread-safe dictionary with expiry. Not shared between processes."""

    shared = False

    def __init__(self, *, snapshot_path: Path | None = None, snapshot_key: bytes = b"") -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[object, float]] = {}
        self._queues: dict[str, list[tuple[float, int, str]]] = {}
        self._sequence = 0
        self._next_sweep = 0.0
        self.snapshot_path = snapshot_path
        self._snapshot_key = snapshot_key
        if snapshot_path is not None:
            if len(snapshot_key) < 32:
                raise ValueError("a store snapshot needs a key of at least 32 bytes")
            self._restore(snapshot_path)

    def _restore(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("store snapshot %s not read, starting empty: %s", path, exc)
            return
        try:
            values, queues = snapshot.load(data, key=self._snapshot_key, now=time.time())
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("store snapshot %s ignored, starting empty: %s", path, exc)
            return
        with self._lock:
            self._values.update(values)
            for queue, items in queues.items():
                for at, item in items:
                    self._sequence += 1
                    heapq.heappush(self._queues.setdefault(queue, []), (at, self._sequence, item))
        log.info("store snapshot %s loaded: %d entries", path, len(values))

    def save_snapshot(self) -> None:
        """Write every live entry to the snapshot file (atomically, mode 0600)."""
        if self.snapshot_path is None:
            return
        with self._lock:
            values = {key: (_resolved(value), expires) for key, (value, expires) in self._values.items()}
            data = snapshot.dump(values, self._queues, key=self._snapshot_key, now=time.time())
        write_atomically(self.snapshot_path, data)

    def _live(self, key: str, now: float) -> object | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._values[key]
            return None
        value = entry[0]
        if isinstance(value, _Mark):  # every reader sees the mark's bytes
            value = value.value()
            self._values[key] = (value, entry[1])
        return value

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + 30
        for key in [k for k, (_, exp) in self._values.items() if exp <= now]:
            del self._values[key]

    def get(self, key: str) -> bytes | None:
        with self._lock:
            now = time.time()
            entry = self._values.get(key)
            if entry is None:
                return None
            if type(entry[0]) is bytes and entry[1] > now:  # `_live`'s common case, inline (issue 16)
                return entry[0]
            value = self._live(key, now)
            return value if isinstance(value, bytes) else None

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """`get` of each key, under the lock once (a /token reads three or four keys at a time)."""
        with self._lock:
            now = time.time()
            found = self._values.get
            values: list[bytes | None] = []
            for key in keys:
                entry = found(key)
                if entry is None:
                    values.append(None)
                elif type(entry[0]) is bytes and entry[1] > now:
                    values.append(entry[0])
                else:
                    value = self._live(key, now)
                    values.append(value if isinstance(value, bytes) else None)
            return values

    def set(self, key: str, value: bytes, ttl: float) -> None:
        now = time.time()
        with self._lock:
            self._sweep(now)
            self._values[key] = (bytes(value), now + ttl)

    def set_many(self, items: Mapping[str, bytes], ttl: float) -> None:
        now = time.time()
        with self._lock:
            self._sweep(now)
            for key, value in items.items():
                self._values[key] = (bytes(value), now + ttl)

    def compare_and_set(self, items: Mapping[str, tuple[bytes, bytes]], ttl: float) -> bool:
        now = time.time()
        with self._lock:
            self._sweep(now)
            if any(self._bytes(key, now) != expected for key, (expected, _new) in items.items()):
                return False
            for key, (_expected, value) in items.items():
                self._values[key] = (bytes(value), now + ttl)
            return True

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = time.time()
        with self._lock:
            self._sweep(now)
            if self._live(key, now) is not None:
                return False
            self._values[key] = (bytes(value), now + ttl)
            return True

    def take(self, key: str) -> bytes | None:
        with self._lock:
            value = self._live(key, time.time())
            self._values.pop(key, None)
            return value if isinstance(value, bytes) else None

    def take_and_mark(self, key: str, mark_key: str, field: str, ttl: float) -> bytes | None:
        now = time.time()
        with self._lock:  # no moment where neither the value nor its mark is there
            value = self._live(key, now)
            self._values.pop(key, None)
            if not isinstance(value, bytes):
                return None
            # Left undecoded: the caller decodes the value anyway, the mark is read only on a replay.
            self._values[mark_key] = (_Mark(value, field), now + ttl)
            return value

    def take_and_read(self, key: str, mark_key: str, field: str, ttl: float, *, read: Sequence[str] = (),
                      follow: str = "", chain: Sequence[str] = (),
                      guard: TakeGuard | None = None) -> tuple[bytes | None, list[bytes | None]]:
        now = time.time()
        with self._lock:  # as take_and_mark, and what is read is read at the same moment
            if guard is not None and not guard.holds({name: self._bytes(name, now) for name in guard.keys()}):
                raise GuardRefused
            value = self._live(key, now)
            self._values.pop(key, None)
            if not isinstance(value, bytes):
                return None, []
            self._values[mark_key] = (_Mark(value, field), now + ttl)
            values = [self._bytes(name, now) for name in read]
            part = link(value, follow) if chain else None
            for prefix in chain:
                got = None if part is None else self._bytes(prefix + part, now)
                values.append(got)
                part = None if got is None else got.decode("utf-8")
            return value, values

    def _bytes(self, key: str, now: float) -> bytes | None:
        value = self._live(key, now)
        return value if isinstance(value, bytes) else None

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._values.pop(key, None)

    def expire(self, key: str, ttl: float) -> None:
        now = time.time()
        with self._lock:
            value = self._live(key, now)
            if value is not None:
                self._values[key] = (value, now + ttl)

    def incr(self, key: str, ttl: float) -> int:
        now = time.time()
        with self._lock:
            value = self._live(key, now)
            if value is None:
                self._values[key] = (1, now + ttl)
                return 1
            count = cast(int, value) + 1
            self._values[key] = (count, self._values[key][1])
            return count

    def set_add(self, key: str, member: str, ttl: float) -> int:
        now = time.time()
        with self._lock:
            members = self._live(key, now)
            if not isinstance(members, set):
                members = set()
            members.add(member)  # in place: readers get copies (set_members), so no copy here
            self._values[key] = (members, now + ttl)
            return len(members)

    def set_remove(self, key: str, member: str) -> None:
        with self._lock:
            members = self._live(key, time.time())
            if isinstance(members, set):
                members.discard(member)

    def set_members(self, key: str) -> builtins.set[str]:
        with self._lock:
            members = self._live(key, time.time())
            return set(members) if isinstance(members, set) else set()

    def schedule(self, queue: str, item: str, at: float) -> None:
        with self._lock:
            self._sequence += 1
            heapq.heappush(self._queues.setdefault(queue, []), (at, self._sequence, item))

    def due(self, queue: str, now: float, limit: int = 100) -> list[str]:
        with self._lock:
            heap = self._queues.get(queue, [])
            items: list[str] = []
            while heap and heap[0][0] <= now and len(items) < limit:
                items.append(heapq.heappop(heap)[2])
            return items

    def ping(self) -> None:
        return None
