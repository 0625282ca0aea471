"""When PostgreSQL or Redis stops, the operator's log says what to do, not only what failed: every
line about the outage (a request answered 503, /readyz, a background task that cannot run)
carries an `action` naming the setting (and its environment variable) to check. The lines said
"database unavailable: answering 503", "database not ready" or "... cannot run: the database is
unavailable" with the driver's error only."""

from __future__ import annotations

import base64
import logging
import threading

import pytest

from infra.db import DATABASE, Database, get_db
from infra.ops.background import Periodic
from infra.store import STORE, RedisStore, get_store
from tests.support.components import replace_component
from tests.support.ports import free_port

PARTS = {"database": ("CEDULA_DATABASE_URL", "docs/operations.md, PostgreSQL"),
         "store": ("CEDULA_REDIS_URL", "docs/operations.md, Redis")}


@pytest.fixture(params=sorted(PARTS))
def stopped(request, fresh_app, monkeypatch):
    """The app's database or Redis, stopped (nobody listens at its address)."""
    if request.param == "database":
        from idp.schema import SCHEMA

        dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
        replace_component(monkeypatch, fresh_app, DATABASE, dead)
        yield request.param
        dead.dispose()
    else:
        store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", prefix="dead:")
        replace_component(monkeypatch, fresh_app, STORE, store)
        yield request.param
        store.close()


def _actions(caplog, part: str) -> list[str]:
    lines = [record for record in caplog.records  # this test's lines, not another thread's
             if record.levelno >= logging.WARNING and record.thread == threading.get_ident()]
    assert lines, f"nothing logged while the {part} was stopped"
    return [getattr(record, "action", "") for record in lines]


def _says_what_to_do(actions: list[str], part: str) -> None:
    variable, section = PARTS[part]
    for action in actions:
        assert variable in action and section in action, (part, action)


def test_a_request_answered_503_logs_what_to_do(fresh_app, stopped, caplog):
    client = fresh_app.test_client()
    with caplog.at_level(logging.WARNING):
        response = (client.post("/introspect", data={"token": "x"}, headers={
                        "Authorization": "Basic " + base64.b64encode(b"some-client:secret").decode()})
                    if stopped == "database"
                    else client.post("/webauthn/authentication/options", json={}))
    assert response.status_code == 503 and response.headers["Retry-After"]
    _says_what_to_do(_actions(caplog, stopped), stopped)


def test_readyz_logs_what_to_do(fresh_app, stopped, caplog):
    with caplog.at_level(logging.WARNING):
        response = fresh_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    actions = [getattr(record, "action", "") for record in caplog.records
               if record.getMessage() == f"{stopped} not ready"]
    assert actions, [record.getMessage() for record in caplog.records]
    _says_what_to_do(actions, stopped)


def test_a_background_task_that_cannot_run_logs_what_to_do(fresh_app, stopped, caplog):
    class Task(Periodic):
        name = "cedula-outage-task"

        def tick(self) -> None:
            with fresh_app.app_context():
                if stopped == "database":
                    get_db(fresh_app).ping()
                else:
                    get_store(fresh_app).ping()

    with caplog.at_level(logging.WARNING):
        Task(seconds=3600).tick_reported()
    _says_what_to_do(_actions(caplog, stopped), stopped)
