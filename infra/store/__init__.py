"""Ephemeral state: SSO sessions, WebAuthn challenges, replay marks, rate limits, queues.

Two backends share the `EphemeralStore` interface: `MemoryStore` (one process, the embedded
default) and `RedisStore` (any number of processes and machines). Nothing here outlives
its time-to-live, and nothing here is the only copy of anything that matters for long.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from infra.components import Slot
from infra.config import ConfigError, get_settings
from infra.secrets import derive, master_secret
from infra.store import snapshot
from infra.store.base import EphemeralStore, GuardRefused, StoreError, TakeGuard
from infra.store.memory import MemoryStore
from infra.store.redis import RedisOptions, RedisStore

__all__ = ["EphemeralStore", "GuardRefused", "MemoryStore", "RedisOptions", "RedisStore", "StoreError",
           "TakeGuard", "get_store", "init_app", "keep_snapshots"]


def create_store(redis_url: str, *, prefix: str, options: RedisOptions | None = None,
                 snapshot_path: Path | None = None, snapshot_key: bytes = b"") -> EphemeralStore:
    if redis_url:
        return RedisStore(redis_url, prefix=prefix, options=options)
    return MemoryStore(snapshot_path=snapshot_path, snapshot_key=snapshot_key)


STORE: Slot[EphemeralStore] = Slot("store")


def init_app(app: Flask) -> EphemeralStore:
    settings = get_settings(app)
    section = settings["store"]
    options = RedisOptions(connect_timeout_seconds=float(section["connect_timeout_seconds"]),
                           timeout_seconds=float(section["timeout_seconds"]),
                           retries=int(section["retries"]))
    snapshot_path: Path | None = None
    snapshot_key = b""
    if not settings.redis_url and bool(section["snapshot"]):
        snapshot_path = settings.data_dir / snapshot.FILE_NAME
        snapshot_key = derive(master_secret(settings), "store-snapshot")
    try:
        store = create_store(settings.redis_url, prefix=str(section["key_prefix"]), options=options,
                             snapshot_path=snapshot_path, snapshot_key=snapshot_key)
    except ValueError as exc:
        raise ConfigError(f"store.redis_url (CEDULA_REDIS_URL): {exc}") from None
    return STORE.install(app, store)


def keep_snapshots(app: Flask) -> snapshot.Snapshots | None:
    """Save `app`'s in-process store periodically from now on; None when it keeps no snapshot.

    The caller (`cedula serve`, one worker) calls `.stop()` on clean shutdown for a last save.
    """
    store = get_store(app)
    if not isinstance(store, MemoryStore) or store.snapshot_path is None:
        return None
    snapshots = snapshot.Snapshots(store.save_snapshot,
                                   interval_seconds=float(get_settings(app)["store"]["snapshot_interval_seconds"]))
    snapshots.start()
    return snapshots


def get_store(app: Flask | None = None) -> EphemeralStore:
    """The ephemeral store of `app` (default: the current application)."""
    return STORE.of(app)
