"""Redis Sentinel: one primary, one replica, three sentinels on loopback; the primary is
killed and the provider, configured with a `redis+sentinel://` URL, follows the failover."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.cluster.topology import LOOPBACK, Redis, free_port
from tests.conftest import settings_for
from tests.idp.conftest import dui, enrol
from tests.support.parts import require_executable

SERVICE = "cedula-main"


def _sentinel(folder: Path, primary_port: int) -> Redis:
    port = free_port()
    config = folder / f"sentinel-{port}.conf"
    config.write_text(f"port {port}\nbind {LOOPBACK}\nsentinel monitor {SERVICE} {LOOPBACK} {primary_port} 2\n"
                      f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                      f"sentinel failover-timeout {SERVICE} 10000\nsentinel parallel-syncs {SERVICE} 1\n")
    sentinel = Redis(folder, port=port, extra=("--sentinel",))
    sentinel.start = _start_sentinel(sentinel, config)  # type: ignore[method-assign]
    return sentinel


def _start_sentinel(sentinel: Redis, config: Path):
    import subprocess

    def start(**_ignored) -> None:
        sentinel.process = subprocess.Popen(["redis-server", str(config), "--sentinel"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + 60  # a cap: ends as soon as it answers
        while time.monotonic() < deadline:
            try:
                if sentinel.ping():
                    return
            except Exception:
                pass
            time.sleep(0.1)
        raise RuntimeError("sentinel did not start")

    return start


@pytest.fixture
def sentinels():
    require_executable("redis-server", "apt-get install redis-server")
    folder = Path(tempfile.mkdtemp(prefix="cedula-sentinel-"))
    primary = Redis(folder, appendonly=True)
    primary.start()
    replica = Redis(folder, appendonly=True, extra=("--replicaof", LOOPBACK, str(primary.port)))
    replica.start()
    watchers = [_sentinel(folder, primary.port) for _ in range(3)]
    for watcher in watchers:
        watcher.start()
    yield primary, replica, watchers
    for part in (*watchers, replica, primary):
        part.kill()
    shutil.rmtree(folder, ignore_errors=True)


def _primary_port(watcher: Redis) -> int:
    return int(watcher.client().sentinel_get_master_addr_by_name(SERVICE)[1])


def test_the_provider_follows_a_sentinel_failover(sentinels, backend, fresh_app, tmp_path):
    # fresh_app: empty tables. The session-scoped `app` kept what earlier tests left in the shared
    # database (tests/idp/logout enrol the same citizen), and enrolling here was refused.
    from idp import create_app
    from infra.store import get_store

    primary, replica, watchers = sentinels
    deadline = time.monotonic() + 90  # sentinels discover the replica and each other (a cap)
    while True:
        known = watchers[0].client().sentinel_slaves(SERVICE)
        if known and all(int(w.client().sentinel_master(SERVICE)["num-other-sentinels"]) == 2 for w in watchers):
            break
        # Without this, a failover cannot happen: say so here, not as a puzzling failure below.
        assert time.monotonic() < deadline, "the sentinels did not discover the replica and each other"
        time.sleep(0.2)
    url = "redis+sentinel://" + ",".join(f"{LOOPBACK}:{w.port}" for w in watchers) + f"/{SERVICE}/0"
    provider = create_app(settings_for(backend, tmp_path, store={"redis_url": url},
                                       logout={"background": False}, audit={"seal_seconds": 0}))
    browser = provider.test_client()
    enrolled = enrol(browser)
    assert browser.get("/account").status_code == 200
    # The replica has the session (WAIT returns as soon as it acknowledges; 60 s is a cap).
    assert primary.client().execute_command("WAIT", 1, 60_000) == 1

    primary.kill()  # the primary's machine dies
    deadline = time.monotonic() + 120  # a cap: ends as soon as the sentinels have failed over
    while time.monotonic() < deadline and _primary_port(watchers[0]) != replica.port:
        response = browser.get("/account")
        assert response.status_code in (200, 503), response.status_code  # never a 500
        time.sleep(0.5)
    assert _primary_port(watchers[0]) == replica.port

    deadline = time.monotonic() + 60  # a cap, as above
    while time.monotonic() < deadline and browser.get("/account").status_code != 200:
        time.sleep(0.5)
    assert browser.get("/account").status_code == 200  # the session survived the failover
    other = provider.test_client()
    assert enrol(other, national_id=dui(77_000_001)).citizen_id  # writes go to the new primary
    get_store(provider).close()
    assert enrolled.citizen_id
