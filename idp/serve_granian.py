"""`cedula serve` on granian (the default): granian's Rust HTTP/1.1 server in front of the WSGI
app, `server.threads` blocking (Python) threads per worker process.

Worker processes are spawned (a new interpreter each, never forked from this one), so on
SIGHUP granian starts a new worker that imports the code and reads the settings again, gives
it `RESPAWN_SECONDS` to load, then stops the old one gracefully; SIGTERM or Ctrl-C stops every
worker gracefully (requests in flight finish, up to GRACEFUL_SECONDS, then the worker is
killed). A worker that dies is replaced. On Linux each worker listens on its own
SO_REUSEPORT socket, so the kernel spreads new connections over the workers (with gunicorn's
shared socket, one worker took most keep-alive connections).

What gunicorn did through hooks is done here in the worker itself: the logging of the
`cedula` command (a spawned worker does not run it), the in-process store's last snapshot and
prometheus_client's dead-worker marking on the way out (`_worker`), and stopping when the
granian process is gone. gunicorn's `timeout` (a hung worker is killed and replaced) is
idp/serve_watchdog.py: the worker beats from `_worker`, this process watches.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from functools import partial
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import MPServer

from idp.serve_watchdog import start_heartbeat, stop_heartbeat, watching
from idp.serve_workers import GRACEFUL_SECONDS, freeze_what_start_made, mark_worker_dead
from infra.config import Settings
from infra.deferred_counts import flush_all
from infra.store.snapshot import Snapshots

RESPAWN_SECONDS = 10.0  # on SIGHUP: how long a new worker has to load before the old one stops

# In a worker process: what to do on its way out (set by `_load`, run by `_worker`).
_snapshots: list[Snapshots] = []


def _log_config(stream: str) -> dict[str, Any]:
    """granian's own lines (start, stop, worker respawns) to stderr, as gunicorn's error log."""
    return {
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": stream},
            "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": stream},
        }
    }


def _load(workers: int) -> Any:
    """In each new worker: the settings read again (a SIGHUP picks up changed settings), the
    `cedula` command's logging, the app; with one worker, the in-process store's snapshots;
    then what start-up made is kept out of the garbage collector's way (`freeze_what_start_made`)."""
    from idp.app import create_app
    from infra.config import load_settings
    from infra.ops.logging import configure
    from infra.store import keep_snapshots

    threading.Thread(target=_stop_with_parent, args=(os.getppid(),), name="cedula-parent-watch", daemon=True).start()
    settings = load_settings()
    configure(str(settings["logging"]["level"]), str(settings["logging"]["format"]))
    app = create_app(settings)
    if workers == 1:
        snapshots = keep_snapshots(app)
        if snapshots is not None:
            _snapshots.append(snapshots)
    freeze_what_start_made()
    return app


def _stop_with_parent(parent: int) -> None:
    """A worker whose granian process is gone (killed) stops gracefully (granian's workers
    would serve on, orphaned, on their own socket; gunicorn's check their parent too)."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(*args: Any, **kwargs: Any) -> None:
    """granian's WSGI worker; once it has stopped serving (gracefully), the deferred indicator
    counts written, the last snapshot of the in-process store, and this worker's live gauges
    dropped (gunicorn's worker_exit and child_exit hooks). It beats for the watchdog from the
    start, while it loads the app too."""
    # SIGINT blocked, in this thread and so in every thread started from here on: Ctrl-C in a
    # terminal signals the whole foreground process group, and a granian worker that got SIGINT
    # itself as well as its server's stop did not stop (it was killed after GRACEFUL_SECONDS).
    # The server process stops its workers, with SIGTERM. The worker stays in the server's
    # process group, so a signal to the group (SIGKILL: the machine lost power) still reaches it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    heartbeat = start_heartbeat()
    try:
        MPServer._spawn_wsgi_worker(*args, **kwargs)
    finally:
        flush_all()  # the indicator counts not yet written (infra.deferred_counts)
        for snapshots in _snapshots:
            snapshots.stop()
        mark_worker_dead(os.getpid())
        stop_heartbeat(heartbeat)


def _level(settings: Settings) -> LogLevels:
    name = str(settings["logging"]["level"]).lower()
    return LogLevels(name) if name in LogLevels.__members__ else LogLevels.info


def server_for(settings: Settings, *, host: str, port: int, workers: int) -> MPServer:
    return MPServer(
        "idp.app:create_app",  # what granian names in its log; `_load` builds the app
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=settings.server.threads,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=30_000, keep_alive=True),
        log_level=_level(settings),
        log_dictconfig=_log_config("ext://sys.stderr"),
        log_access=False,  # the app writes the access log (cedula.access)
        respawn_failed_workers=True,
        respawn_interval=RESPAWN_SECONDS,
        workers_kill_timeout=GRACEFUL_SECONDS,
    )


class _NotTheThreadCount(logging.Filter):
    """granian warns, at each start, that more blocking threads than 2 x cores + 1 "seems quite
    high": server.threads is chosen (threads wait on the database and Redis), not a mistake."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Configuration allows spawning up to")


def serve_granian(settings: Settings, *, host: str, port: int, workers: int) -> None:
    # A new interpreter per worker: on SIGHUP, new workers run the code as it is on disk now
    # (a forked worker would keep every module this process has imported).
    multiprocessing.set_start_method("spawn", force=True)
    server = server_for(settings, host=host, port=port, workers=workers)
    logging.getLogger("_granian").addFilter(_NotTheThreadCount())
    with watching(server, settings.server.worker_timeout):
        server.serve(spawn_target=_worker, target_loader=partial(_load, workers), wrap_loader=False)
