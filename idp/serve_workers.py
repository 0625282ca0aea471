"""What `cedula serve` and its worker processes share, whichever server runs them: the
graceful period, the start-up error, prometheus_client's multiprocess folder, and the garbage
collector's set-up once a worker's app is built.

Metrics of several workers: before any worker starts, PROMETHEUS_MULTIPROC_DIR is pointed at
a fresh, empty folder (`<data_dir>/metrics-multiproc`, mode 0700), so every worker writes its
counters there and /metrics adds them up; a worker that exits is marked dead (its live gauges
dropped, its counters kept). A folder given by the operator is used as it is (and must be
emptied by them between runs, as prometheus_client requires).
"""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

from infra.config import Settings

GRACEFUL_SECONDS = 20  # SIGTERM or SIGHUP: how long requests in flight may take before the worker is killed
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ServeError(RuntimeError):
    """The server cannot start with these settings; the message says what to change (`cedula
    serve` exits 2, a configuration error; a runtime failure such as a port in use stays 1)."""


class ServeFailed(RuntimeError):
    """The server could not run, though its settings can work (a port already in use): `cedula
    serve` says so in one line and exits 1."""


def metrics_folder(settings: Settings) -> Path:
    """The multiprocess metrics folder of this run: the operator's, or a fresh one."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        return Path(given)
    folder = Path(settings.data_dir) / "metrics-multiproc"
    shutil.rmtree(folder, ignore_errors=True)  # counters of an earlier run are not this run's
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)  # nodes sharing a data folder start together
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


def mark_worker_dead(pid: int) -> None:
    """prometheus_client's multiprocess mode: drop a worker's live gauges (its counters stay)."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def freeze_what_start_made() -> None:
    """In a worker, once its app is built: what start-up made (modules, settings, caches,
    compiled statements: some 240,000 objects the collector tracks) is moved to the permanent
    generation (`gc.collect()` first, so that no garbage is kept), and no collection traverses
    it again. A full collection, which holds every request in flight up (it keeps the
    interpreter lock), then takes under 1 ms of CPU instead of about 160 ms; the collections a
    request's allocations trigger were already under 1% of `/token`'s CPU and stay so (bench
    README, "the worker process: collector and threads"). What start-up made and drops later
    is freed by its reference count as before; only a cycle of it would be kept, once."""
    gc.collect()
    gc.freeze()
