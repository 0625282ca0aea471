"""The hung-worker watchdog of `cedula serve` on granian: gunicorn's `timeout`
(`server.worker_timeout`, 60 seconds; 0: none).

Each worker proves it is alive from a daemon thread (`start_heartbeat`) that sets the times of
a file of its own, `<folder>/<pid>`, to the monotonic clock (the same for every process) about
once a second, as gunicorn's workers touch their tmp file. The thread needs the interpreter lock,
so a worker stuck in a C call that holds it (one that never returns, or waits on a lock
without letting the interpreter lock go: a deadlock) or stopped (SIGSTOP) falls silent;
requests cost nothing. Threads waiting in Python (on a lock, a socket) let the thread beat: a
slow or stuck request is not a hung worker here either (gunicorn's gthread main loop goes on
beating while its request threads wait).

In the server process a thread (`watching`) reads those times about once a second, for the
workers granian runs now (`MPServer.wrks`; its main thread waits on an event, without the
interpreter lock). A worker silent for longer than the timeout, counted from its spawn until its
first beat (a worker that hangs while it loads is caught too, as with gunicorn), is killed
(SIGKILL, which a hung or stopped process cannot refuse) and the reason is logged; granian sees an
unexpected exit and starts a new worker. Killing it through its `multiprocessing.Process` (not
granian's `kill`, which marks the exit as wanted) keeps granian's respawn, and its exit status
check keeps a pid taken by another process since from being signalled.

On SIGHUP granian takes the old workers out of `wrks` before it stops them gracefully: they are
not watched while they drain (granian kills one still running after the graceful period, which
is shorter than the timeout); the new workers are watched from their spawn. On SIGTERM the
watchdog stands down and granian's graceful stop (and its kill after `GRACEFUL_SECONDS`) applies.
The folder (in /dev/shm where there is one: no disk writes) is removed when the server stops.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FOLDER_ENV = "CEDULA_SERVE_HEARTBEATS"  # set by the server process for the workers it spawns
INTERVAL_ENV = "CEDULA_SERVE_HEARTBEAT_SECONDS"

logger = logging.getLogger("cedula.serve")
_server: list[int] = []  # in a worker: the server process that spawned it


def beat_interval(timeout: float) -> float:
    """How often a worker beats and the watchdog looks: each second, more often under a
    timeout of a few seconds."""
    return min(1.0, timeout / 4)


# ------------------------------------------------------------------ in a worker process


def start_heartbeat() -> Path | None:
    """Beat, from a daemon thread, into this worker's file (when the server watches)."""
    folder = os.environ.get(FOLDER_ENV)
    if not folder:
        return None
    path = Path(folder) / str(os.getpid())
    interval = float(os.environ[INTERVAL_ENV])
    try:
        path.touch()
    except OSError:  # the server process is gone, and its folder with it
        return None
    _server[:] = [os.getppid()]
    threading.Thread(target=_beat, args=(path, interval), name="cedula-heartbeat", daemon=True).start()
    return path


def _beat(path: Path, interval: float) -> None:
    while True:
        now = time.monotonic()
        try:
            os.utime(path, (now, now))
        except FileNotFoundError:  # the worker is on its way out, or the server gone with its folder
            return
        time.sleep(interval)


def stop_heartbeat(path: Path | None) -> None:
    """On a worker's clean way out (and in the server process, once a worker is gone): its
    file goes, and its beating thread stops. When the server process is gone (killed: it
    removes the folder itself otherwise), the last worker out removes the folder."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()
        if _server and os.getppid() != _server[0]:
            with contextlib.suppress(OSError):  # not empty: another worker is still on its way out
                path.parent.rmdir()


# ------------------------------------------------------------------ in the server process


class Watchdog:
    """Kills a worker of `server` (granian's MPServer) silent for longer than `timeout`."""

    def __init__(self, server: Any, timeout: float, folder: Path) -> None:
        self.server = server
        self.timeout = timeout
        self.folder = folder
        self._since: dict[int, float] = {}  # pid -> when first seen (its spawn, to a second)
        self._killed: set[int] = set()
        self._leaving: set[int] = set()  # no longer granian's current workers; files to remove once gone
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cedula-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(beat_interval(self.timeout)):
            if self.server.interrupt_signal:  # stopping: granian's graceful stop and kill apply
                return
            self.check(time.monotonic())

    def _last_beat(self, pid: int) -> float:
        try:
            return (self.folder / str(pid)).stat().st_mtime
        except OSError:
            return 0.0

    def check(self, now: float) -> None:
        current: set[int] = set()
        for worker in list(self.server.wrks):
            pid = worker.inner.pid
            if pid is None:
                continue
            current.add(pid)
            if pid in self._killed:
                continue
            silent = now - max(self._since.setdefault(pid, now), self._last_beat(pid))
            if silent > self.timeout:
                self._kill(worker, pid, silent)
        for pid in set(self._since) - current:
            del self._since[pid]
            self._killed.discard(pid)
            self._leaving.add(pid)
        for pid in list(self._leaving):
            if not _running(pid):
                self._leaving.discard(pid)
                stop_heartbeat(self.folder / str(pid))

    def _kill(self, worker: Any, pid: int, silent: float) -> None:
        self._killed.add(pid)
        worker.inner.kill()
        # Rounded up to a tenth: a worker killed 5.04 s after its last beat under a 5 s timeout is
        # logged as silent for 5.1 s, never as the timeout itself ("5.0 s, timeout 5": no reason).
        silent = math.ceil(silent * 10) / 10
        logger.error(
            "worker-%d (pid %d) has not reported for %.1f seconds (server.worker_timeout = %g): "
            "killed (SIGKILL); granian starts a new one. Its interpreter lock was held or it was "
            "stopped: check its last log lines for the request it was serving, a C extension call "
            "(database driver, PKCS#11 module) that never returned or waited on a lock with the "
            "interpreter lock held, or a stopped process (SIGSTOP, a debugger); `py-spy dump --pid` "
            "shows where a worker hangs.",
            worker.idx + 1,
            pid,
            silent,
            self.timeout,
            extra={
                "worker": worker.idx + 1,
                "pid": pid,
                "silent_seconds": silent,
                "worker_timeout": self.timeout,
            },
        )


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _folder() -> Path:
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private (0700) folder in it: tmpfs, no disk writes
    place = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="cedula-heartbeats-", dir=place))


@contextlib.contextmanager
def watching(server: Any, timeout: float) -> Iterator[Watchdog | None]:
    """Watch `server`'s workers while it serves (`timeout` <= 0: not at all)."""
    if timeout <= 0:
        yield None
        return
    folder = _folder()
    os.environ[FOLDER_ENV] = str(folder)
    os.environ[INTERVAL_ENV] = repr(beat_interval(timeout))
    watchdog = Watchdog(server, timeout, folder)
    watchdog.start()
    try:
        yield watchdog
    finally:
        watchdog.stop()
        os.environ.pop(FOLDER_ENV, None)
        os.environ.pop(INTERVAL_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
