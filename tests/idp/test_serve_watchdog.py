"""`cedula serve`'s hung-worker watchdog (granian; gunicorn's `timeout`), against the real server
process with `server.worker_timeout` of a few seconds: a worker that stops reporting (here
stopped with SIGSTOP, which silences it as a C call holding the interpreter lock does) is
killed and replaced and the reason logged (by gunicorn too, with the same setting); a healthy
worker, idle or draining a request after a reload, is left alone."""

from __future__ import annotations

import contextlib
import glob
import os
import signal
import tempfile
from pathlib import Path

import pytest
import requests

from tests.idp.test_serve_behaviour import BODY, EMBEDDED, _answer, _half_sent, _log_entries, _stop, _until
from tests.support.live import live_server, worker_pids

TIMEOUT = 5  # seconds: server.worker_timeout here; it counts from a spawn, so well above a load (~0.5 s)


def _watched(tmp_path: Path):
    return live_server(EMBEDDED, tmp_path, CEDULA_SERVER_WORKER_TIMEOUT=str(TIMEOUT), CEDULA_LOGGING_FORMAT="json")


def _kills(log: str) -> list[dict]:
    """The watchdog's lines in the server's stderr."""
    return _log_entries(log, "cedula.serve")


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


def _hang_a_worker(server, stopped: list[int]) -> int:
    """Stop the server's one worker (SIGSTOP: it stops beating, as a hung one does); return its
    pid once it has been killed, a new one started and the server answers again."""
    [worker] = worker_pids(server.process)
    stopped.append(worker)
    os.kill(worker, signal.SIGSTOP)
    _until("the stopped worker killed", lambda: not Path(f"/proc/{worker}").exists())
    _until("a new worker", lambda: worker_pids(server.process) - {worker} != set())
    _until("served again", lambda: requests.get(server.url("/readyz"), timeout=30).status_code == 200)
    return worker


def test_a_worker_that_stops_reporting_is_killed_replaced_and_logged(tmp_path, stopped):
    with _watched(tmp_path) as server:
        worker = _hang_a_worker(server, stopped)
        assert server.process.poll() is None
        log = _stop(server)
    [entry] = _kills(log)
    assert entry["level"] == "ERROR"
    assert entry["pid"] == worker and entry["worker"] == 1
    assert entry["silent_seconds"] > TIMEOUT and entry["worker_timeout"] == TIMEOUT
    assert f"worker-1 (pid {worker}) has not reported" in entry["message"]
    assert "killed (SIGKILL)" in entry["message"] and "interpreter lock" in entry["message"]


def test_gunicorn_kills_a_stopped_worker_after_the_same_setting(tmp_path, stopped):
    """`--server gunicorn`: server.worker_timeout is its `timeout`."""
    with live_server(EMBEDDED, tmp_path, server="gunicorn", CEDULA_SERVER_WORKER_TIMEOUT=str(TIMEOUT)) as server:
        worker = _hang_a_worker(server, stopped)
        log = _stop(server)
    assert f"WORKER TIMEOUT (pid:{worker})" in log


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


def test_the_heartbeat_folder_goes_when_the_server_process_is_killed(tmp_path):
    """SIGKILL to the server process: its workers stop (test_serve_behaviour) and the last one
    out removes the folder the server could not."""
    with _watched(tmp_path) as server:
        [worker] = worker_pids(server.process)
        heartbeat = _heartbeat(worker)
        server.process.kill()
        server.process.wait(timeout=30)
        _until("the worker stopped", lambda: not Path(f"/proc/{worker}").exists())
        _until("the folder removed", lambda: not heartbeat.parent.exists())


class _Process:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.killed = 0

    def kill(self) -> None:
        self.killed += 1


class _Worker:
    def __init__(self, idx: int, pid: int) -> None:
        self.idx = idx
        self.inner = _Process(pid)


def _beat(folder: Path, pid: int, at: float) -> None:
    path = folder / str(pid)
    path.touch()
    os.utime(path, (at, at))


def test_the_watchdog_judges_silence_from_the_last_beat_or_the_spawn_and_kills_once(tmp_path, caplog):
    """The decision alone, on a made-up clock: a worker is silent since its last beat, or since
    it was first seen while it has not beaten yet; it is killed once, with one log line; the
    file of a worker that is gone is removed."""
    from types import SimpleNamespace

    from idp.serve_watchdog import Watchdog

    # pids above the kernel's largest (2**22): no such process
    beating, loading = _Worker(0, 5_000_001), _Worker(1, 5_000_002)
    server = SimpleNamespace(wrks=[beating, loading], interrupt_signal=False)
    watchdog = Watchdog(server, 60, tmp_path)
    watchdog.check(1000.0)  # both first seen
    _beat(tmp_path, beating.inner.pid, 1050.0)
    watchdog.check(1060.0)
    assert beating.inner.killed == loading.inner.killed == 0  # 60 s since the spawn is not more than 60
    with caplog.at_level("ERROR", logger="cedula.serve"):
        watchdog.check(1060.5)
        watchdog.check(1061.5)  # granian has not replaced it yet: not killed again
    assert (beating.inner.killed, loading.inner.killed) == (0, 1)
    [record] = caplog.records
    assert (record.pid, record.worker, record.silent_seconds) == (loading.inner.pid, 2, 60.5)
    watchdog.check(1110.0)
    assert beating.inner.killed == 0  # 60 s after its beat
    watchdog.check(1110.5)
    assert beating.inner.killed == 1
    server.wrks = [_Worker(0, 5_000_003), _Worker(1, 5_000_004)]  # granian's new workers
    watchdog.check(1111.0)
    assert not (tmp_path / str(beating.inner.pid)).exists()
    assert watchdog.check(1170.0) is None and server.wrks[0].inner.killed == 0  # new: watched from now
    watchdog.check(1171.5)
    assert [worker.inner.killed for worker in server.wrks] == [1, 1]


def test_the_logged_silence_is_never_rounded_down_to_the_timeout(tmp_path, caplog):
    """Killed 5.04 s after its spawn under a 5 s timeout: the log says 5.1 s, not "5.0 s
    (timeout 5)", which reads as a kill without a reason (seen in CI at load)."""
    from types import SimpleNamespace

    from idp.serve_watchdog import Watchdog

    worker = _Worker(0, 5_000_005)
    watchdog = Watchdog(SimpleNamespace(wrks=[worker], interrupt_signal=False), 5, tmp_path)
    watchdog.check(1000.0)
    with caplog.at_level("ERROR", logger="cedula.serve"):
        watchdog.check(1005.04)
    [record] = caplog.records
    assert worker.inner.killed == 1 and record.silent_seconds == 5.1
    assert "for 5.1 seconds" in record.getMessage()


def test_a_negative_worker_timeout_is_refused(tmp_path):
    from click.testing import CliRunner

    from idp.cli import cli

    result = CliRunner().invoke(
        cli,
        ["serve"],
        env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": "", "CEDULA_SERVER_WORKER_TIMEOUT": "-1"},
    )
    assert result.exit_code == 2  # a configuration error (docs/operations.md, Exit status)
    assert "server.worker_timeout" in result.output


def test_gunicorn_takes_server_worker_timeout_as_its_timeout(tmp_path, monkeypatch):
    from idp.serve_gunicorn import _Gunicorn, serve_gunicorn
    from infra.config import load_settings

    options: dict = {}
    monkeypatch.setattr(_Gunicorn, "run", lambda self: options.update(self._options))
    settings = load_settings(
        {
            "server": {"data_dir": str(tmp_path), "worker_timeout": 7},
            "store": {"redis_url": ""},
            "database": {"url": f"sqlite:///{tmp_path / 'cedula.db'}"},
        }
    )
    serve_gunicorn(settings, host="127.0.0.1", port=8000, workers=1)
    assert options["timeout"] == 7
