"""Ephemeral state: SSO sessions, WebAuthn challenges, replay marks, rate limits, queues.

Two backends share the `EphemeralStore` interface: `MemoryStore` (one process, the embedded
default) and `RedisStore` (any number of processes and machines). Nothing here outlives
its time-to-live, and nothing here is the only copy of anything that matters for long.
"""

from __future__ import annotations

from flask import Flask

from infra.components import Slot
from infra.config import get_settings
from infra.store.base import EphemeralStore, StoreError
from infra.store.memory import MemoryStore
from infra.store.redis import RedisStore

__all__ = ["EphemeralStore", "MemoryStore", "RedisStore", "StoreError", "get_store", "init_app"]


def create_store(redis_url: str, *, prefix: str) -> EphemeralStore:
    if redis_url:
        return RedisStore(redis_url, prefix=prefix)
    return MemoryStore()


STORE: Slot[EphemeralStore] = Slot("store")


def init_app(app: Flask) -> EphemeralStore:
    settings = get_settings(app)
    return STORE.install(app, create_store(settings.redis_url, prefix=str(settings["store"]["key_prefix"])))


def get_store(app: Flask | None = None) -> EphemeralStore:
    """The ephemeral store of `app` (default: the current application)."""
    return STORE.of(app)
