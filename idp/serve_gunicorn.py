"""`cedula serve --server gunicorn`: gunicorn gthread, `server.threads` threads per worker (the
behaviour shared with granian is described in idp/serve.py)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from idp.serve_workers import GRACEFUL_SECONDS, freeze_what_start_made, mark_worker_dead
from infra.config import Settings
from infra.deferred_counts import flush_all
from infra.store import keep_snapshots
from infra.store.snapshot import Snapshots


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
        freeze_what_start_made()  # in the worker (the app is not preloaded): idp.serve_workers
        return app


def _worker_exit(server: Any, worker: Any) -> None:
    """Gunicorn hook, in the worker on its way out: the deferred indicator counts written, the
    last snapshot of the in-process store."""
    flush_all()
    snapshots = getattr(worker.app, "snapshots", None)
    if snapshots is not None:
        snapshots.stop()


def _child_exit(_server: Any, worker: Any) -> None:
    mark_worker_dead(worker.pid)


def serve_gunicorn(settings: Settings, *, host: str, port: int, workers: int) -> None:
    options = {
        "child_exit": _child_exit,
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": settings.server.threads,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": str(settings["logging"]["level"]).lower(),
        "timeout": int(settings.server.worker_timeout),  # 0: none, as granian's watchdog
        "graceful_timeout": GRACEFUL_SECONDS,
        "keepalive": 5,
        "preload_app": False,
        "forwarded_allow_ips": "*" if settings.server.proxy_hops else "127.0.0.1",
        "limit_request_line": 8190,
        "worker_exit": _worker_exit,
        "max_requests": settings.server.max_requests,
        "max_requests_jitter": settings.server.max_requests // 10,
    }
    _Gunicorn(settings, options).run()
