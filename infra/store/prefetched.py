"""A store whose answers for some keys were read already, together (`EphemeralStore.get_many`).

A request that will read several keys of a networked store one after the other, in code that
takes a store (an SSO session's index, then its record), can read the ones it knows of in one
round trip first and hand that code a `Prefetched` store: `get` of a key read already answers
from what was read, every other call goes to the store. Only for the duration of one request:
what was read is as fresh as a `get` at that moment.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from infra.store.base import EphemeralStore, TakeGuard


class Prefetched(EphemeralStore):
    """`store`, with `values` (key -> value read, None: absent) answered from memory."""

    def __init__(self, store: EphemeralStore, values: Mapping[str, bytes | None]) -> None:
        self.store = store
        self.values = dict(values)
        self.shared = store.shared

    def get(self, key: str) -> bytes | None:
        if key in self.values:
            return self.values[key]
        return self.store.get(key)

    def _changed(self, *keys: str) -> None:
        for key in keys:
            self.values.pop(key, None)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._changed(key)
        self.store.set(key, value, ttl)

    def set_many(self, items: Mapping[str, bytes], ttl: float) -> None:
        self._changed(*items)
        self.store.set_many(items, ttl)

    def compare_and_set(self, items: Mapping[str, tuple[bytes, bytes]], ttl: float) -> bool:
        self._changed(*items)
        return self.store.compare_and_set(items, ttl)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        self._changed(key)
        return self.store.add(key, value, ttl)

    def take(self, key: str) -> bytes | None:
        self._changed(key)
        return self.store.take(key)

    def take_and_mark(self, key: str, mark_key: str, field: str, ttl: float) -> bytes | None:
        self._changed(key, mark_key)
        return self.store.take_and_mark(key, mark_key, field, ttl)

    def take_and_read(self, key: str, mark_key: str, field: str, ttl: float, *, read: Sequence[str] = (),
                      follow: str = "", chain: Sequence[str] = (),
                      guard: TakeGuard | None = None) -> tuple[bytes | None, list[bytes | None]]:
        self._changed(key, mark_key)
        return self.store.take_and_read(key, mark_key, field, ttl, read=read, follow=follow, chain=chain,
                                        guard=guard)

    def delete(self, *keys: str) -> None:
        self._changed(*keys)
        self.store.delete(*keys)

    def expire(self, key: str, ttl: float) -> None:
        self.store.expire(key, ttl)

    def incr(self, key: str, ttl: float) -> int:
        self._changed(key)
        return self.store.incr(key, ttl)

    def set_add(self, key: str, member: str, ttl: float) -> int:
        return self.store.set_add(key, member, ttl)

    def set_remove(self, key: str, member: str) -> None:
        self.store.set_remove(key, member)

    def set_members(self, key: str) -> builtins.set[str]:
        return self.store.set_members(key)

    def schedule(self, queue: str, item: str, at: float) -> None:
        self.store.schedule(queue, item, at)

    def due(self, queue: str, now: float, limit: int = 100) -> list[str]:
        return self.store.due(queue, now, limit)

    def ping(self) -> None:
        self.store.ping()
