"""Background tasks start with the first request a process serves, once, and again in a
forked child (threads do not survive a fork); a stopped task stays stopped."""

from __future__ import annotations

import threading

from infra.ops.background import STARTER, Periodic, start_with_first_request
from infra.web.application import CedulaFlask


class Task(Periodic):
    name = "cedula-test-task"

    def __init__(self) -> None:
        super().__init__(seconds=3600)
        self.ticked = threading.Event()

    def tick(self) -> None:
        self.ticked.set()


def _fork(app: CedulaFlask, *tasks: Periodic) -> None:
    """What `os.fork()` runs in the child for these tasks and this app (the module's hook does
    it for every task of the process; the parent's threads are gone in the child)."""
    for task in tasks:
        task._after_fork_in_child()
    STARTER.of(app).after_fork_in_child()


def _app(*tasks: Periodic) -> CedulaFlask:
    app = CedulaFlask(__name__)
    app.add_url_rule("/", "home", lambda: "ok")
    for task in tasks:
        start_with_first_request(app, task)
    return app


def test_no_thread_before_the_first_request():
    task = Task()
    _app(task)
    assert not task.started and not task.running


def test_the_first_request_starts_every_task_and_the_hook_leaves():
    first, second = Task(), Task()
    app = _app(first, second)
    assert len(app.before_request_funcs[None]) == 1  # one hook for both tasks
    try:
        assert app.test_client().get("/").status_code == 200
        assert first.running and second.running
        assert app.before_request_funcs[None] == []  # later requests do not pay for it
        assert app.test_client().get("/").status_code == 200
    finally:
        first.stop()
        second.stop()


def _served_with_its_task_stopped() -> tuple[CedulaFlask, Task]:
    """An app whose one task was stopped before the app served its first request."""
    task = Task()
    app = _app(task)
    task.stop()
    app.test_client().get("/")
    return app, task


def test_a_stopped_task_is_not_started_by_requests():
    _, task = _served_with_its_task_stopped()
    assert not task.running


def test_a_forked_child_starts_its_own_threads_with_its_first_request():
    task, stopped = Task(), Task()
    app = _app(task, stopped)
    try:
        app.test_client().get("/")
        stopped.stop()
        assert task.running and app.before_request_funcs[None] == []
        parents = task._stop  # the parent's thread (here still alive: this is no real fork)
        _fork(app, task, stopped)
        parents.set()
        assert not task.started and task._thread is None
        assert stopped.started and stopped._stopped  # stays stopped
        assert len(app.before_request_funcs[None]) == 1
        app.test_client().get("/")
        assert task.running and not stopped.running
        assert app.before_request_funcs[None] == []
    finally:
        task.stop()
        stopped.stop()


def test_a_fork_with_nothing_to_start_arms_no_hook():
    app, task = _served_with_its_task_stopped()
    _fork(app, task)
    assert app.before_request_funcs[None] == []


def test_a_forked_child_holds_leases_under_a_name_of_its_own():
    from infra.ops.background import Singleton

    class Leased(Singleton):
        def run(self, lease) -> None: ...

    named_here, named_by_caller = (Leased(seconds=3600, leases=None, lease_name="x"),
                                   Leased(seconds=3600, leases=None, lease_name="x", holder="given"))
    parents = named_here.holder
    named_here._after_fork_in_child()
    named_by_caller._after_fork_in_child()
    assert named_here.holder != parents and named_by_caller.holder == "given"


class Failing(Periodic):
    name = "cedula-test-failing"

    def __init__(self, errors: list[BaseException | None]) -> None:
        super().__init__(seconds=1)
        self.errors = errors

    def tick(self) -> None:
        error = self.errors.pop(0)
        if error is not None:
            raise error


def test_an_outage_is_one_warning_without_a_traceback_not_an_error_every_second(caplog):
    """With PostgreSQL or Redis away, each worker's sealer, notifier and logout threads logged
    an ERROR with a full traceback every second for as long as it lasted."""
    import logging

    import sqlalchemy as sa

    from infra.store.base import StoreError

    database_down = sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    task = Failing([database_down, database_down, database_down, None, StoreError("Redis is unavailable: refused"),
                    StoreError("Redis is unavailable: refused"), None])
    with caplog.at_level(logging.DEBUG, logger="infra.ops.background"):
        for _ in range(7):
            task.tick_reported()
    records = [r for r in caplog.records if r.name == "infra.ops.background"]
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in records] == [
        ("WARNING", "cedula-test-failing cannot run"), ("INFO", "cedula-test-failing runs again"),
        ("WARNING", "cedula-test-failing cannot run"), ("INFO", "cedula-test-failing runs again")]
    assert "the database is unavailable" in records[0].getMessage()
    assert "the ephemeral store is unavailable" in records[2].getMessage()
    assert all(r.exc_info is None for r in records)


def test_a_failure_that_is_not_an_outage_keeps_its_traceback(caplog):
    import logging

    task = Failing([ValueError("a bug"), ValueError("a bug")])
    with caplog.at_level(logging.INFO, logger="infra.ops.background"):
        task.tick_reported()
        task.tick_reported()
    records = [r for r in caplog.records if r.name == "infra.ops.background"]
    assert [(r.levelname, r.exc_info is not None) for r in records] == [("ERROR", True), ("ERROR", True)]
