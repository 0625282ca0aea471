"""`MemoryStore.get_many` (one lock for every key) answers as `get` does for each key: expired
keys, counters and sets read as absent, a replay mark as its bytes."""

from __future__ import annotations

import json

from infra.store import MemoryStore


def test_get_many_answers_as_get_for_every_kind_of_entry(monkeypatch):
    store = MemoryStore()
    store.set("plain", b"v", 60)
    store.set("gone", b"old", 60)
    store.incr("count", 60)
    store.set_add("members", "a", 60)
    store.set("code", json.dumps({"grant_id": "g"}).encode(), 60)
    store.take_and_mark("code", "mark", "grant_id", 60)
    store._values["gone"] = (b"old", 0.0)  # expired
    keys = ["plain", "gone", "count", "members", "mark", "absent"]
    assert store.get_many(keys) == [b"v", None, None, None, b"g", None]
    assert store.get_many(keys) == [store.get(key) for key in keys]
