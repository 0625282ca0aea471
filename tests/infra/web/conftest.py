"""Fixtures of the web plumbing's tests."""

from __future__ import annotations

import pytest

from infra.store import STORE, RedisStore
from tests.support.components import replace_component
from tests.support.ports import free_port


@pytest.fixture
def dead_store(fresh_app, monkeypatch):
    """The app's store swapped for a Redis that nobody listens to (connection refused)."""
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", prefix="dead:")
    replace_component(monkeypatch, fresh_app, STORE, store)
    yield store
    store.close()
