"""The Redis store: shared by every worker on every machine (production)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar, cast

import redis

from infra.store.base import EphemeralStore, StoreError

# Pop the due items of a sorted-set queue atomically, so each goes to one worker only.
_DUE = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #items > 0 then redis.call('ZREM', KEYS[1], unpack(items)) end
return items
"""

_INCR = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


T = TypeVar("T")


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisStore(EphemeralStore):
    shared = True

    def __init__(self, url: str, *, prefix: str = "cedula:") -> None:
        self._prefix = prefix
        self._client = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        self._due = self._client.register_script(_DUE)
        self._incr = self._client.register_script(_INCR)

    def _k(self, key: str) -> str:
        return self._prefix + key

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        return cast(bytes | None, self._call(self._client.get, self._k(key)))

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._call(lambda: self._client.set(self._k(key), value, px=_ms(ttl)))

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(self._call(lambda: self._client.set(self._k(key), value, px=_ms(ttl), nx=True)))

    def take(self, key: str) -> bytes | None:
        return cast(bytes | None, self._call(self._client.getdel, self._k(key)))

    def delete(self, *keys: str) -> None:
        if keys:
            self._call(self._client.delete, *(self._k(k) for k in keys))

    def expire(self, key: str, ttl: float) -> None:
        self._call(self._client.pexpire, self._k(key), _ms(ttl))

    def incr(self, key: str, ttl: float) -> int:
        return int(self._call(lambda: self._incr(keys=[self._k(key)], args=[_ms(ttl)])))

    def set_add(self, key: str, member: str, ttl: float) -> None:
        def run() -> None:
            pipe = self._client.pipeline()
            pipe.sadd(self._k(key), member)
            pipe.pexpire(self._k(key), _ms(ttl))
            pipe.execute()

        self._call(run)

    def set_remove(self, key: str, member: str) -> None:
        self._call(self._client.srem, self._k(key), member)

    def set_members(self, key: str) -> builtins.set[str]:
        members = cast(builtins.set[bytes], self._call(self._client.smembers, self._k(key)))
        return {m.decode() for m in members}

    def schedule(self, queue: str, item: str, at: float) -> None:
        self._call(lambda: self._client.zadd(self._k(queue), {item: at}))

    def due(self, queue: str, now: float, limit: int = 100) -> list[str]:
        items = self._call(lambda: self._due(keys=[self._k(queue)], args=[now, limit]))
        return [i.decode() for i in items]

    def delete_prefix(self) -> None:
        """Delete every key under this store's prefix (tests and `cedula` maintenance)."""
        batch: list[bytes] = []
        for key in self._client.scan_iter(match=self._prefix + "*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                self._client.delete(*batch)
                batch.clear()
        if batch:
            self._client.delete(*batch)

    def ping(self) -> None:
        self._call(self._client.ping)

    def close(self) -> None:
        self._client.close()
