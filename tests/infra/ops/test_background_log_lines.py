"""A background task's start-up line belongs to no request: the first request a process serves
starts the task's thread, but the line saying so must not carry that request's id (an operator
following the request id would find a thread start in it; one following the thread would find a
request). The request's own lines keep its id."""

from __future__ import annotations

import json
import logging

from idp import create_app
from infra.ops.background import Periodic, start_with_first_request
from infra.ops.logging import JsonFormatter
from tests.conftest import settings_for


class Task(Periodic):
    name = "cedula-log-line-task"

    def __init__(self) -> None:
        super().__init__(seconds=3600)

    def tick(self) -> None:
        pass


class Lines(logging.Handler):
    """Formats each record when it is logged (in the request, as the real handler does)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_thread_start_line_carries_no_request_id(app, backend, tmp_path):
    fresh = create_app(settings_for(backend, tmp_path))
    task = Task()
    start_with_first_request(fresh, task)
    lines = Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        response = fresh.test_client().get("/healthz", headers={"X-Request-Id": "first-request-1"})
        fresh.test_client().get("/openapi.json", headers={"X-Request-Id": "second-request-2"})
    finally:
        root.removeHandler(lines)
        root.setLevel(level)
        task.stop()
    assert response.status_code == 200 and task.started
    started = [line for line in lines.lines if line["message"] == "cedula-log-line-task thread started"]
    assert len(started) == 1, lines.lines
    assert "request_id" not in started[0], started[0]
    access = [line for line in lines.lines if line["logger"] == "cedula.access"]
    assert access and access[-1]["request_id"] == "second-request-2"  # request lines keep theirs
