"""Real parts the tests need (PostgreSQL, Redis, Chromium, SoftHSM2, openssl, node, poppler).

Locally a missing part skips the tests that need it, saying why. In CI (CI=true) a missing
part fails those tests: CI must never pass without proving the product works.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from infra.store import EphemeralStore

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

POSTGRES_ADMIN_URL = os.environ.get(
    "CEDULA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("CEDULA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def missing(reason: str) -> None:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"required part missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed ({hint})")
    return path  # type: ignore[return-value]


def redis_store_for(name: str):
    """A RedisStore on the test Redis under a prefix of its own (`name` and a random part); the
    test is `missing` (CI fails, locally it skips) when Redis does not answer. Close it and
    `delete_prefix()` after."""
    import uuid

    from infra.store.redis import RedisStore

    candidate = RedisStore(REDIS_TEST_URL, prefix=f"cedula-{name}-{uuid.uuid4().hex}:")
    try:
        candidate.ping()
    except Exception as exc:
        missing(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    return candidate


def store_for(kind: str, name: str) -> Iterator[EphemeralStore]:
    """For a fixture to `yield from`: a fresh in-process store (`kind` "memory") or a
    `redis_store_for(name)` (`kind` "redis"), its keys deleted and its connection closed after."""
    if kind == "memory":
        from infra.store import MemoryStore

        yield MemoryStore()
        return
    candidate = redis_store_for(name)
    yield candidate
    candidate.delete_prefix()
    candidate.close()


def terminate_backend(pid: int, *, seconds: float = 60) -> None:
    """End the PostgreSQL backend `pid` (as a restart or an administrator would) and wait until
    it has gone. pg_terminate_backend only signals the backend: on a busy machine it may still
    be running (and answering on its socket) a while later, so a fixed pause is not enough."""
    import time

    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the PostgreSQL backend {pid} did not end within {seconds} s")
            time.sleep(0.02)
