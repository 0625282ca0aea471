"""The in-process store's snapshot: a restart of the embedded default keeps citizens signed in."""

from __future__ import annotations

import base64
import logging
import os
import stat
import time

import pytest

from infra.store import MemoryStore, get_store, keep_snapshots
from infra.store.snapshot import FILE_NAME, Snapshots

KEY = b"k" * 32


def test_values_sets_counters_and_queues_survive(tmp_path):
    path = tmp_path / FILE_NAME
    first = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    first.set("session", b"\x00\xffpayload", 600)
    first.incr("attempts", 600)
    first.incr("attempts", 600)
    first.set_add("by-citizen", "sid-1", 600)
    first.schedule("deliveries", "job-1", 123.0)
    first.save_snapshot()

    second = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    assert second.get("session") == b"\x00\xffpayload"
    assert second.incr("attempts", 600) == 3
    assert second.set_members("by-citizen") == {"sid-1"}
    assert second.due("deliveries", 200.0) == ["job-1"]


def test_a_mark_never_read_is_saved_as_its_field(tmp_path):
    """`take_and_mark` leaves its mark undecoded until it is read: the snapshot has its bytes."""
    path = tmp_path / FILE_NAME
    first = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    first.set("code", b'{"grant_id": "g-1", "other": 2}', 600)
    first.take_and_mark("code", "mark", "grant_id", 600)
    first.save_snapshot()

    assert MemoryStore(snapshot_path=path, snapshot_key=KEY).get("mark") == b"g-1"
    assert first.get("mark") == b"g-1"


def test_the_file_is_private_and_replaced_atomically(tmp_path):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    store.set("a", b"1", 600)
    store.save_snapshot()
    store.save_snapshot()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE_NAME]  # no temporary left behind


def test_expired_entries_are_dropped_on_load(tmp_path):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    store.set("short", b"x", 0.2)
    store.set("long", b"y", 600)
    store.save_snapshot()
    time.sleep(0.3)
    restored = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    assert restored.get("long") == b"y"
    assert "short" not in restored._values


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "other-key", "unreadable"])
def test_a_damaged_snapshot_is_ignored_with_a_log_line(tmp_path, caplog, damage):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    store.set("session", b"citizen", 600)
    store.save_snapshot()
    data = path.read_bytes()
    key = KEY
    if damage == "flip":
        path.write_bytes(data.replace(b'"b"', b'"i"', 1))
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\xff\xfe not a snapshot")
    elif damage == "other-key":
        key = b"o" * 32
    else:
        path.unlink()
        path.mkdir()  # reading a folder fails with an OSError
    with caplog.at_level(logging.WARNING, logger="infra.store.memory"):
        restored = MemoryStore(snapshot_path=path, snapshot_key=key)
    assert restored.get("session") is None
    assert any("store snapshot" in r.getMessage() for r in caplog.records)


def test_a_tampered_value_with_a_valid_shape_is_refused(tmp_path, caplog):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    store.set("session", b"citizen-a", 600)
    store.save_snapshot()
    path.write_bytes(path.read_bytes().replace(base64.b64encode(b"citizen-a"), base64.b64encode(b"citizen-b")))
    with caplog.at_level(logging.WARNING, logger="infra.store.memory"):
        restored = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    assert restored.get("session") is None
    assert "integrity tag" in caplog.text


def test_snapshots_stop_writes_a_last_snapshot(tmp_path):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    snapshots = Snapshots(store.save_snapshot, interval_seconds=3600)
    snapshots.start()
    store.set("late", b"v", 600)
    snapshots.stop()
    assert MemoryStore(snapshot_path=path, snapshot_key=KEY).get("late") == b"v"


def test_snapshots_write_periodically(tmp_path):
    path = tmp_path / FILE_NAME
    store = MemoryStore(snapshot_path=path, snapshot_key=KEY)
    store.set("a", b"1", 600)
    snapshots = Snapshots(store.save_snapshot, interval_seconds=0.05)
    snapshots.start()
    deadline = time.monotonic() + 60  # a generous cap: the loop ends as soon as the file is there
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    snapshots._stop.set()
    assert path.exists()


def _embedded_app(tmp_path, **store):
    from idp import create_app
    from tests.conftest import TEST_ISSUER

    return create_app({"server": {"issuer": TEST_ISSUER, "data_dir": str(tmp_path)},
                       "database": {"url": f"sqlite:///{tmp_path / 'cedula.db'}"},
                       "store": {"redis_url": "", **store}, "logging": {"level": "WARNING"},
                       "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                       "documents": {"archive_renew_hours": 0}})


def test_a_session_survives_a_restart_of_the_embedded_default(tmp_path):
    from idp.sessions import records, session_policy

    first = _embedded_app(tmp_path)
    created = records.create(get_store(first), session_policy(first), citizen_id="c-1",
                             amr=("hwk", "user"), user_agent="test", credential_id=None,
                             recovery=False, now=time.time())
    token, session = created.token, created.session
    snapshots = keep_snapshots(first)
    assert snapshots is not None
    snapshots.stop()  # what `cedula serve` does on clean shutdown

    second = _embedded_app(tmp_path)
    restored = records.load(get_store(second), session_policy(second), token, time.time())
    assert restored is not None and restored.sid == session.sid and restored.citizen_id == "c-1"


def test_no_snapshot_when_turned_off_or_over_redis(tmp_path):
    app = _embedded_app(tmp_path, snapshot=False)
    assert keep_snapshots(app) is None
    assert get_store(app).snapshot_path is None
