"""Registered clients kept in memory for a few seconds, for client authentication (RFC 6749
section 2.3) at the token, introspection and revocation endpoints.

Each entry is a detached copy of the client's row, read-only, valid for `[oidc]
client_cache_seconds`. That is the bound on how long a client disabled, deleted or given a
new secret by another process keeps authenticating here; the process that makes the change
(any ORM insert, update or delete of a `Client`) forgets its copy at once. Only enabled clients are
kept: an unknown or disabled client is looked up every time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client, find_client

MAX_ENTRIES = 10_000

_caches: weakref.WeakSet[ClientCache] = weakref.WeakSet()
_listening = threading.Lock()


def _forget(_mapper, _connection, target: Client) -> None:
    for cache in list(_caches):
        cache.forget(target.client_id)


def _listen() -> None:
    with _listening:
        # An insert counts too: a client_id registered again (after a delete that bypassed the
        # ORM, or a reset) must not be answered with the old row's keys or secret.
        for event in ("after_insert", "after_update", "after_delete"):
            if not sa.event.contains(Client, event, _forget):
                sa.event.listen(Client, event, _forget)


class ClientCache:
    """client_id -> (expiry on the monotonic clock, detached Client)."""

    def __init__(self, *, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, tuple[float, Client]] = {}
        if seconds > 0:
            _caches.add(self)
            _listen()

    def find(self, session: Session, client_id: str) -> Client:
        """The enabled client `client_id`, from memory when read less than `seconds` ago;
        raises `ClientNotFound` like `clients.registry.find_client`."""
        if self.seconds <= 0:
            return find_client(session, client_id)
        now = self.clock()
        entry = self._entries.get(client_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        client = find_client(session, client_id)
        session.expunge(client)  # every column is loaded: read-only use needs no session
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[client_id] = (now + self.seconds, client)
        return client

    def peek(self, client_id: str) -> Client | None:
        """The cached client if it is still fresh, without touching the database."""
        entry = self._entries.get(client_id)
        return entry[1] if entry is not None and entry[0] > self.clock() else None

    def forget(self, client_id: str) -> None:
        self._entries.pop(client_id, None)

    def clear(self) -> None:
        self._entries.clear()
