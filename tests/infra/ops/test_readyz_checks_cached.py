"""/readyz runs the registered checks (the PKI renewal check costs milliseconds of CPU and may
renew a certificate) at most once every `[server] readiness_check_seconds` while they pass, and
stays honest: a reused answer says how old it is, a failure shows within the interval, and a
failure is kept only briefly (`health.failure_seconds`) so the node is back soon after the
part. A flood of /readyz during an outage asks a failing part (also the database or Redis)
at most once per failure interval, and no call queues behind a slow check."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_MASTER_KEY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ready_app(tmp_path, monkeypatch):
    from idp import create_app
    from idp.schema import SCHEMA
    from infra.ops import health

    url = f"sqlite:///{tmp_path / 'cedula.db'}"
    SCHEMA.upgrade(url)
    app = create_app({"server": {"data_dir": str(tmp_path), "readiness_check_seconds": 10},
                      "database": {"url": url}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                      "documents": {"archive_renew_hours": 0}})
    clock = Clock()
    monkeypatch.setattr(health, "monotonic", clock)
    return app, clock


def test_a_polling_balancer_runs_each_check_once_per_interval(ready_app):
    from infra.ops.health import add_readiness_check

    app, clock = ready_app
    calls: list[float] = []
    add_readiness_check(app, "ledger", lambda: calls.append(clock.now))
    client = app.test_client()
    for _ in range(21):  # a balancer polling every half second, for ten seconds
        assert client.get("/readyz").status_code == 200
        clock.now += 0.5
    assert calls == [1000.0, 1010.0]
    reused = client.get("/readyz").get_json()["checks"]["ledger"]
    assert reused == {"status": "ok", "checked_seconds_ago": 0}  # checked at 1010, now 1010.5


def test_a_failure_shows_within_the_interval_and_ends_when_the_part_is_back(ready_app):
    from infra.ops.health import add_readiness_check

    app, clock = ready_app
    broken = {"now": False}

    def ledger() -> None:
        if broken["now"]:
            raise RuntimeError("ledger down")

    add_readiness_check(app, "ledger", ledger, advice="start the ledger")
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    broken["now"] = True
    clock.now += 10
    failed = client.get("/readyz")
    assert failed.status_code == 503 and failed.headers["Retry-After"].isdigit()
    assert failed.get_json()["checks"]["ledger"] == {"status": "fail", "detail": "start the ledger"}
    broken["now"] = False
    clock.now += 1  # the failure is kept a moment (the same JSON, with its age)
    kept = client.get("/readyz")
    assert kept.status_code == 503 and kept.headers["Retry-After"].isdigit()
    assert kept.get_json()["checks"]["ledger"] == {"status": "fail", "detail": "start the ledger",
                                                   "checked_seconds_ago": 1}
    clock.now += 1
    assert client.get("/readyz").status_code == 200  # back after the failure interval, not the full one


def test_the_database_and_store_are_pinged_every_time(ready_app, monkeypatch):
    from infra.db import get_db

    app, _clock = ready_app
    client = app.test_client()
    assert client.get("/readyz").status_code == 200

    def down() -> None:
        raise RuntimeError("connection refused")

    monkeypatch.setattr(get_db(app), "ping", down)
    answer = client.get("/readyz")  # no time has passed: not an earlier answer
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"]["status"] == "fail"


def test_the_pki_check_is_not_run_on_every_call(ready_app, monkeypatch):
    from keys import renewal

    app, _clock = ready_app
    runs: list[int] = []
    real = renewal.Pki.renew_services

    def counted(self, now):
        runs.append(1)
        return real(self, now)

    monkeypatch.setattr(renewal.Pki, "renew_services", counted)
    client = app.test_client()
    for _ in range(5):
        client.get("/readyz")
    assert len(runs) == 1


def test_a_flood_during_an_outage_checks_each_failing_part_once_per_failure_interval(ready_app, monkeypatch):
    from infra.db import get_db
    from infra.ops import health
    from infra.ops.health import add_readiness_check
    from infra.store import get_store

    app, clock = ready_app
    calls = {"ledger": 0, "database": 0, "store": 0}

    def failing(part):
        def check() -> None:
            calls[part] += 1
            raise RuntimeError(f"{part} down")
        return check

    add_readiness_check(app, "ledger", failing("ledger"))
    monkeypatch.setattr(get_db(app), "ping", failing("database"))
    monkeypatch.setattr(get_store(app), "ping", failing("store"))
    with app.app_context():
        interval = health.failure_seconds(app)
    assert 0 < interval <= health.FAILURE_SECONDS
    client = app.test_client()
    for _ in range(4):  # four failure intervals
        for _ in range(50):  # a flood within each
            answer = client.get("/readyz")
            assert answer.status_code == 503 and answer.headers["Retry-After"].isdigit()
            body = answer.get_json()
            assert body["status"] == "fail" and {"database", "store", "ledger"} <= set(body["checks"])
        clock.now += interval
    assert calls == {"ledger": 4, "database": 4, "store": 4}


def test_no_call_queues_behind_a_slow_check(ready_app):
    """While one call waits for a part that hangs (a connection timeout), the others answer with
    the part's last answer at once instead of queueing on the lock."""
    import threading

    from infra.ops.health import add_readiness_check

    app, clock = ready_app
    slow = {"now": False}
    entered, release = threading.Event(), threading.Event()

    def ledger() -> None:
        if slow["now"]:
            entered.set()
            release.wait(30)
            raise RuntimeError("ledger timed out")

    add_readiness_check(app, "ledger", ledger)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    slow["now"] = True
    clock.now += 10
    hanging = threading.Thread(target=lambda: app.test_client().get("/readyz"), daemon=True)
    hanging.start()
    try:
        assert entered.wait(30)
        meanwhile = client.get("/readyz")  # would wait on the lock for the hanging check before
        assert meanwhile.status_code == 200
        assert meanwhile.get_json()["checks"]["ledger"] == {"status": "ok", "checked_seconds_ago": 10}
    finally:
        release.set()
        hanging.join(30)
    assert client.get("/readyz").get_json()["checks"]["ledger"]["status"] == "fail"
