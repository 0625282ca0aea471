"""Ephemeral state: SSO sessions, WebAuthn challenges, replay marks, rate limits, queues.

Two backends share the `EphemeralStore` interface: `MemoryStore` (one process, the embedded
default) and `RedisStore` (any number of processes and machines). Nothing here outlives
its time-to-live, and nothing here is the only copy of anything that matters for long.
"""

from __future__ import annotations

from flask import Flask

from infra.store.base import EphemeralStore, StoreError
from infra.store.memory import MemoryStore
from infra.store.redis import RedisStore

__all__ = ["EphemeralStore", "MemoryStore", "RedisStore", "StoreError", "get_store", "init_app"]


def create_store(redis_url: str, *, prefix: str) -> EphemeralStore:
    if redis_url:
        return RedisStore(redis_url, prefix=prefix)
    return MemoryStore()


def init_app(app: Flask) -> EphemeralStore:
    settings = app.config["CEDULA"]
    store = create_store(settings.redis_url, prefix=str(settings["store"]["key_prefix"]))
    app.extensions["cedula.store"] = store
    return store


def get_store(app: Flask) -> EphemeralStore:
    return app.extensions["cedula.store"]
