"""/readyz runs the registered checks (the PKI renewal check costs milliseconds of CPU and may
renew a certificate) at most once every `[server] readiness_check_seconds`, and stays honest:
a failure is reported for as long as it was last seen, and the answer says how old it is."""

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
                      "audit": {"seal_seconds": 0}, "logout": {"background": False},
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


def test_a_failure_shows_within_the_interval_and_stays_until_it_is_gone(ready_app):
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
    broken["now"] = False
    clock.now += 3  # the failure is reported (with its age) until the check runs again
    again = client.get("/readyz")
    assert again.status_code == 503
    assert again.get_json()["checks"]["ledger"] == {"status": "fail", "detail": "start the ledger",
                                                    "checked_seconds_ago": 3}
    clock.now += 7
    assert client.get("/readyz").status_code == 200


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
