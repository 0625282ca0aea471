"""`cedula serve`: gunicorn with threads; several workers only over a shared (Redis) store.

Metrics of several workers: before any worker starts, PROMETHEUS_MULTIPROC_DIR is pointed at
a fresh, empty folder (`<data_dir>/metrics-multiproc`, mode 0700), so every worker writes its
counters there and /metrics adds them up; a worker that exits is marked dead (its live gauges
dropped, its counters kept). A folder given by the operator is used as it is (and must be
emptied by them between runs, as prometheus_client requires).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from infra.config import Settings
from infra.store import keep_snapshots
from infra.store.snapshot import Snapshots


class ServeError(RuntimeError):
    """The server cannot start with these settings; the message says what to change."""


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        self.snapshots: Snapshots | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from idp.app import create_app

        app = create_app(self._settings)
        if int(self._options["workers"]) == 1:
            self.snapshots = keep_snapshots(app)
        return app


def _worker_exit(server: Any, worker: Any) -> None:
    """Gunicorn hook, in the worker on its way out: the last snapshot of the in-process store."""
    snapshots = getattr(worker.app, "snapshots", None)
    if snapshots is not None:
        snapshots.stop()


MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder(settings: Settings) -> Path:
    """The multiprocess metrics folder of this run: the operator's, or a fresh one."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        return Path(given)
    folder = Path(settings.data_dir) / "metrics-multiproc"
    shutil.rmtree(folder, ignore_errors=True)  # counters of an earlier run are not this run's
    folder.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    if workers > 1 and not settings.redis_url:
        raise ServeError(
            f"--workers {workers} needs a store shared between processes, but the in-process "
            "store is configured: set CEDULA_REDIS_URL (e.g. redis://127.0.0.1:6379/0) or run "
            "one worker."
        )
    if bool(settings["metrics"]["enabled"]):
        metrics_folder(settings)
    options = {
        "child_exit": _child_exit,
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": int(settings["server"]["threads"]),
        "accesslog": None,
        "errorlog": "-",
        "loglevel": str(settings["logging"]["level"]).lower(),
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "preload_app": False,
        "forwarded_allow_ips": "*" if int(settings["server"]["proxy_hops"]) else "127.0.0.1",
        "limit_request_line": 8190,
        "worker_exit": _worker_exit,
        "max_requests": int(settings["server"].get("max_requests", 0)),
        "max_requests_jitter": int(settings["server"].get("max_requests", 0)) // 10,
    }
    _Gunicorn(settings, options).run()
