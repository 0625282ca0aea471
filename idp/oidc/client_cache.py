"""Registered clients kept in memory, for client authentication (RFC 6749 section 2.3) at the
token, introspection and revocation endpoints and for the checks of access tokens.

Each entry is a detached copy of the client's row, read-only, used while the store's cache
generation is the one it was read under (`infra.invalidation`: any process that updates or
deletes a client advances it after the commit, so a client disabled, deleted or given a new
secret anywhere stops at once everywhere) and for `[oidc] client_cache_seconds` at most (the
bound for changes made outside Cédula). The process that makes a change through the ORM also
forgets its copy at once. Only enabled clients are kept: an unknown or disabled client is
looked up every time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client, find_client
from infra.invalidation import NO_GENERATION, Invalidation

MAX_ENTRIES = 10_000

_caches: weakref.WeakSet[ClientCache] = weakref.WeakSet()
_listening = threading.Lock()


def _forget(_mapper: object, _connection: object, target: Client) -> None:
    for cache in list(_caches):
        cache.forget(target.client_id)


def _listen() -> None:
    with _listening:
        # An insert counts too: a client_id registered again (after a delete that bypassed the
        # ORM, or a reset) must not be answered with the old row's keys or secret.
        for event in ("after_insert", "after_update", "after_delete"):
            if not sa.event.contains(Client, event, _forget):
                sa.event.listen(Client, event, _forget)


_STATIC = b"static"  # the generation of a cache without invalidation (time bound only)


class ClientCache:
    """client_id -> (expiry on the monotonic clock, generation, detached Client)."""

    def __init__(self, *, seconds: float, clock: Callable[[], float] = time.monotonic,
                 invalidation: Invalidation | None = None) -> None:
        self.seconds = seconds
        self.clock = clock
        self.invalidation = invalidation
        self._entries: dict[str, tuple[float, bytes, Client]] = {}
        if seconds > 0:
            _caches.add(self)
            _listen()

    def find(self, session: Session, client_id: str, generation: bytes | None = None) -> Client:
        """The enabled client `client_id`, from memory while the cache generation is the one
        it was read under and for `seconds` at most; raises `ClientNotFound` like
        `clients.registry.find_client`. `generation`: when the caller read it already."""
        if self.seconds <= 0:
            return find_client(session, client_id)
        if generation is None:
            generation = self.invalidation.generation() if self.invalidation is not None else _STATIC
        if generation == NO_GENERATION:  # the store is down: no news of changes, no cache
            return find_client(session, client_id)
        now = self.clock()
        entry = self._entries.get(client_id)
        if entry is not None and entry[0] > now and entry[1] == generation:
            return entry[2]
        client = find_client(session, client_id)
        session.expunge(client)  # every column is loaded: read-only use needs no session
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[client_id] = (now + self.seconds, generation, client)
        return client

    def peek(self, client_id: str) -> Client | None:
        """The cached client if it is still fresh, without touching the database."""
        entry = self._entries.get(client_id)
        return entry[2] if entry is not None and entry[0] > self.clock() else None

    def cached(self, client_id: str) -> tuple[bytes, Client] | None:
        """The cached client and the cache generation it was read under, if it is still fresh
        (no database, no store): `find` answers with it while the generation is that one."""
        if self.seconds <= 0:
            return None
        entry = self._entries.get(client_id)
        return (entry[1], entry[2]) if entry is not None and entry[0] > self.clock() else None

    def forget(self, client_id: str) -> None:
        self._entries.pop(client_id, None)

    def clear(self) -> None:
        self._entries.clear()
