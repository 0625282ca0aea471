"""The interface every ephemeral store implements."""

from __future__ import annotations

import builtins
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class StoreError(RuntimeError):
    """The ephemeral store cannot be reached or refused an operation."""


@dataclass(frozen=True)
class TakeGuard:
    """When `take_and_read` may take at all (checked in the same step, before anything is
    taken): `key` holds `expected` (an absent key reads as `absent`), and no group of
    `refused_when_all` has every one of its keys set. A request that checked something
    against a value read earlier (a cached row under a cache generation, a rate limit's marks)
    takes only if that still holds, without a round trip of its own to read them."""

    key: str
    expected: bytes
    absent: bytes
    refused_when_all: tuple[tuple[str, ...], ...] = ()

    def holds(self, values: Mapping[str, bytes | None]) -> bool:
        """From the values of `keys()`."""
        held = values[self.key]
        if (self.absent if held is None else held) != self.expected:
            return False
        return not any(all(values[name] is not None for name in group) for group in self.refused_when_all)

    def keys(self) -> list[str]:
        return [self.key, *(name for group in self.refused_when_all for name in group)]


class GuardRefused(Exception):
    """`take_and_read` with a `TakeGuard` that did not hold: nothing was taken or written."""


def link(value: bytes, field: str) -> str | None:
    """The string field `field` of the JSON object `value` (None when absent or null): the
    first link of a `take_and_read` chain."""
    found = json.loads(value).get(field)
    return None if found is None else str(found)


class EphemeralStore(ABC):
    """Keys are strings, values bytes; every key has a time-to-live in seconds."""

    #: True when several processes can share this store.
    shared: bool = False

    @abstractmethod
    def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    def set(self, key: str, value: bytes, ttl: float) -> None: ...

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The values of `keys`, in order (None for an absent key), read together: one round
        trip where the store can (Redis MGET), for reads a request makes anyway."""
        return [self.get(key) for key in keys]

    def set_many(self, items: Mapping[str, bytes], ttl: float) -> None:
        """Set several keys with the same time-to-live (one round trip where the store can:
        an SSO session's record and its `sid` index are written together)."""
        for key, value in items.items():
            self.set(key, value, ttl)

    @abstractmethod
    def compare_and_set(self, items: Mapping[str, tuple[bytes, bytes]], ttl: float) -> bool:
        """`items`: key -> (the value expected, the new value). Atomically: if every key still
        holds its expected value (an absent, expired or non-bytes key holds none), set them all
        to their new values with this time-to-live and answer True; otherwise change nothing
        and answer False (a write that must not bring back or overwrite what changed since it
        was read: an SSO session's refresh racing its end). No items: True, nothing done.
        One round trip where the store can (a Redis script). Safe to send again after a lost
        reply: the repeat finds the new values and changes nothing (then answers False)."""

    @abstractmethod
    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Set only if absent; True if this call set it (replay marks, single-use tokens)."""

    @abstractmethod
    def take(self, key: str) -> bytes | None:
        """Get and delete atomically: a value can be taken once (challenges, codes)."""

    def take_and_mark(self, key: str, mark_key: str, field: str, ttl: float) -> bytes | None:
        """`take` the JSON object at `key` and, if it was there, set `mark_key` to its string
        `field` for `ttl` (a spent single-use value leaves a mark naming what it created): one
        round trip where the store can (a Redis script)."""
        value = self.take(key)
        if value is not None:
            self.set(mark_key, str(json.loads(value)[field]).encode("utf-8"), ttl)
        return value

    def take_and_read(self, key: str, mark_key: str, field: str, ttl: float, *, read: Sequence[str] = (),
                      follow: str = "", chain: Sequence[str] = (),
                      guard: TakeGuard | None = None) -> tuple[bytes | None, list[bytes | None]]:
        """`take_and_mark`, and if a value was taken, what the request reads next, in the same
        step (one round trip where the store can: a Redis script): the keys `read`, then a
        chain named by the value: the key `chain[0]` + the value's string field `follow`,
        then `chain[1]` + the value read there, and so on (an absent link reads as None, and
        so does every link after it). Returns the value taken (None: nothing was, and nothing
        is read) and the values read, in order (`read`'s, then the chain's). With `guard`,
        nothing is taken (GuardRefused) unless it holds (here read just before: a store
        shared between processes checks it in the same step, `infra.store.redis`)."""
        if guard is not None:
            names = guard.keys()
            if not guard.holds(dict(zip(names, self.get_many(names), strict=True))):
                raise GuardRefused
        value = self.take_and_mark(key, mark_key, field, ttl)
        if value is None:
            return None, []
        values = self.get_many(read) if read else []
        part = link(value, follow) if chain else None
        for prefix in chain:
            got = None if part is None else self.get(prefix + part)
            values.append(got)
            part = None if got is None else got.decode("utf-8")
        return value, values

    @abstractmethod
    def delete(self, *keys: str) -> None: ...

    @abstractmethod
    def expire(self, key: str, ttl: float) -> None:
        """Give an existing key a new time-to-live."""

    @abstractmethod
    def incr(self, key: str, ttl: float) -> int:
        """Add one; the window (ttl) starts with the first increment (rate limits)."""

    @abstractmethod
    def set_add(self, key: str, member: str, ttl: float) -> int:
        """Add to a set and give the whole set this time-to-live; the set's size after it
        (constant time, whatever the size)."""

    @abstractmethod
    def set_remove(self, key: str, member: str) -> None: ...

    @abstractmethod
    def set_members(self, key: str) -> builtins.set[str]: ...

    @abstractmethod
    def schedule(self, queue: str, item: str, at: float) -> None:
        """Put an item on a delayed queue, due at the Unix time `at`."""

    @abstractmethod
    def due(self, queue: str, now: float, limit: int = 100) -> list[str]:
        """Remove and return up to `limit` items due by `now`, each to exactly one caller."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreError when the store cannot serve requests."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
