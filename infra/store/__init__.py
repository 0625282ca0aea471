"""Ephemeral state: SSO sessions, WebAuthn challenges, replay marks, rate limits, queues.

Two backends share the `EphemeralStore` interface: `MemoryStore` (one process, the embedded
default) and `RedisStore` (any number of processes and machines). Nothing here outlives
its time-to-live, and nothing here is the only copy of anything that matters for long.
"""

from __future__ import annotations

from flask import Flask

from infra.components import Slot
from infra.config import ConfigError, get_settings
from infra.store.base import EphemeralStore, StoreError
from infra.store.memory import MemoryStore
from infra.store.redis import RedisOptions, RedisStore

__all__ = ["EphemeralStore", "MemoryStore", "RedisOptions", "RedisStore", "StoreError", "get_store",
           "init_app"]


def create_store(redis_url: str, *, prefix: str, options: RedisOptions | None = None) -> EphemeralStore:
    if redis_url:
        return RedisStore(redis_url, prefix=prefix, options=options)
    return MemoryStore()


STORE: Slot[EphemeralStore] = Slot("store")


def init_app(app: Flask) -> EphemeralStore:
    settings = get_settings(app)
    section = settings["store"]
    options = RedisOptions(connect_timeout_seconds=float(section["connect_timeout_seconds"]),
                           timeout_seconds=float(section["timeout_seconds"]),
                           retries=int(section["retries"]))
    try:
        store = create_store(settings.redis_url, prefix=str(section["key_prefix"]), options=options)
    except ValueError as exc:
        raise ConfigError(f"store.redis_url (CEDULA_REDIS_URL): {exc}") from None
    return STORE.install(app, store)


def get_store(app: Flask | None = None) -> EphemeralStore:
    """The ephemeral store of `app` (default: the current application)."""
    return STORE.of(app)
