"""`cedula serve`'s hung-worker watchdog (granian; gunicorn's `timeout`), against the real server
process with `server.worker_timeout` of a few seconds: a worker that stops reporting (here
stopped with SIGSTOP, which silences it as a C call holding the interpreter lock or a deadlock
would) is killed and replaced and the reason logged; a healthy worker, idle or draining a request
after a reload, is left alone."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import signal
import tempfile
from pathlib import Path

import pytest
import requests

from tests.idp.test_serve_behaviour import BODY, EMBEDDED, _answer, _half_sent, _stop, _until
from tests.support.live import live_server, worker_pids

TIMEOUT = 5  # seconds: server.worker_timeout here; it counts from a spawn, so well above a load (~0.5 s)


def _watched(tmp_path: Path):
    return live_server(EMBEDDED, tmp_path, CEDULA_SERVER_WORKER_TIMEOUT=str(TIMEOUT), CEDULA_LOGGING_FORMAT="json")


def _kills(log: str) -> list[dict]:
    """The watchdog's lines in the server's stderr."""
    found = []
    for line in log.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "cedula.serve":
                found.append(entry)
    return found


def _heartbeat_files(pid: int) -> list[Path]:
    places = ["/dev/shm", tempfile.gettempdir()]
    return [Path(path) for place in places for path in glob.glob(f"{place}/cedula-heartbeats-*/{pid}")]


def _heartbeat(pid: int) -> Path:
    """The heartbeat file of worker `pid` (once it has beaten), wherever the server put its folder."""
    _until(f"worker {pid} beats", lambda: bool(_heartbeat_files(pid)))
    [path] = _heartbeat_files(pid)
    return path


def _beats_span(path: Path, first: float) -> float:
    """How long, by the worker's own beats (monotonic clock), it has been beating since `first`."""
    return path.stat().st_mtime - first


@pytest.fixture
def stopped() -> list[int]:
    """Processes a test stops: killed at its end whatever happened, never left stopped."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_worker_that_stops_reporting_is_killed_replaced_and_logged(tmp_path, stopped):
    with _watched(tmp_path) as server:
        [worker] = worker_pids(server.process)
        stopped.append(worker)
        os.kill(worker, signal.SIGSTOP)
        _until("the stopped worker killed", lambda: not Path(f"/proc/{worker}").exists())
        _until("a new worker", lambda: worker_pids(server.process) - {worker} != set())
        _until("served again", lambda: requests.get(server.url("/readyz"), timeout=30).status_code == 200)
        assert server.process.poll() is None
        log = _stop(server)
    [entry] = _kills(log)
    assert entry["level"] == "ERROR"
    assert entry["pid"] == worker and entry["worker"] == 1
    assert entry["silent_seconds"] > TIMEOUT and entry["worker_timeout"] == TIMEOUT
    assert f"worker-1 (pid {worker}) has not reported" in entry["message"]
    assert "killed (SIGKILL)" in entry["message"] and "interpreter lock" in entry["message"]


def test_a_healthy_idle_worker_is_not_killed(tmp_path):
    """Idle over several timeouts (counted by the worker's own beats): the same worker serves."""
    with _watched(tmp_path) as server:
        [worker] = worker_pids(server.process)
        heartbeat = _heartbeat(worker)
        first = heartbeat.stat().st_mtime
        _until("four timeouts of beats", lambda: _beats_span(heartbeat, first) > 4 * TIMEOUT)
        assert requests.get(server.url("/readyz"), timeout=30).status_code == 200
        assert worker_pids(server.process) == {worker}
        log = _stop(server)
    assert _kills(log) == []
    assert not heartbeat.parent.exists()  # the folder goes with the server


def test_an_old_worker_draining_after_a_reload_is_not_killed(tmp_path):
    """SIGHUP: the old worker finishes a request that takes longer than the timeout (its body
    comes late), while the new worker is watched and serves."""
    with _watched(tmp_path) as server:
        [old] = worker_pids(server.process)
        in_flight = _half_sent(server)
        server.process.send_signal(signal.SIGHUP)
        _until("a new worker", lambda: worker_pids(server.process) - {old} != set())
        [new] = worker_pids(server.process) - {old}
        heartbeat = _heartbeat(new)
        first = heartbeat.stat().st_mtime
        _until("two timeouts of the new worker's beats", lambda: _beats_span(heartbeat, first) > 2 * TIMEOUT)
        in_flight.sendall(BODY[10:])
        answer = _answer(in_flight)
        assert answer.startswith(b"HTTP/1.1 401 "), answer[:300]  # answered by the old worker
        _until("the old worker stopped", lambda: old not in worker_pids(server.process))
        assert worker_pids(server.process) == {new}
        assert requests.get(server.url("/readyz"), timeout=30).status_code == 200
        log = _stop(server)
    assert _kills(log) == []
