"""`cedula serve`: granian (the default) or gunicorn, threads per worker; several workers only
over a shared (Redis) store.

Both servers behave alike (docs/operations.md, "Serving"): SIGTERM or Ctrl-C stops
gracefully (requests in flight finish, up to 20 seconds), SIGHUP replaces every worker with
one that loads the code and settings again, a worker that dies is replaced, a worker silent
for `server.worker_timeout` seconds (hung) is killed and replaced (on granian:
idp/serve_watchdog.py), the access log is the application's own (`cedula.access`: the server
writes none), and X-Forwarded-* headers are honoured only from `server.proxy_hops` proxies
(werkzeug's ProxyFix in the app).

The multiprocess metrics folder: idp/serve_workers.py.
"""

from __future__ import annotations

import errno
import socket

from idp.serve_workers import MULTIPROCESS_ENV, ServeError, ServeFailed, metrics_folder
from infra.config import Settings

__all__ = ["MULTIPROCESS_ENV", "SERVERS", "ServeError", "ServeFailed", "metrics_folder", "serve"]

SERVERS = ("granian", "gunicorn")
DEFAULT_SERVER = "granian"


def serve(settings: Settings, *, host: str, port: int, workers: int, server: str = DEFAULT_SERVER) -> None:
    if workers > 1 and not settings.redis_url:
        raise ServeError(
            f"--workers {workers} needs a store shared between processes, but the in-process "
            "store is configured: set CEDULA_REDIS_URL (e.g. redis://127.0.0.1:6379/0) or run "
            "one worker."
        )
    if server not in SERVERS:
        raise ServeError(f"--server {server!r} is not known: use one of {', '.join(SERVERS)}.")
    if server == "granian" and settings.server.max_requests:
        raise ServeError(
            "server.max_requests (CEDULA_SERVER_MAX_REQUESTS) replaces a worker after that many "
            "requests, which only gunicorn does: run `cedula serve --server gunicorn`, or set "
            "server.max_requests = 0 (granian)."
        )
    check_port(host, port)
    if bool(settings["metrics"]["enabled"]):
        metrics_folder(settings)
    if server == "gunicorn":
        from idp.serve_gunicorn import serve_gunicorn

        serve_gunicorn(settings, host=host, port=port, workers=workers)
    else:
        from idp.serve_granian import serve_granian

        serve_granian(settings, host=host, port=port, workers=workers)


def check_port(host: str, port: int) -> None:
    """ServeFailed when `host:port` cannot be listened on: another program listens there (granian
    ended with a traceback, gunicorn after retrying), another `cedula serve` among them, or this
    machine has no such address. A runtime failure, not a setting (exit status 1).

    The probe does not set SO_REUSEPORT: granian's workers do, so a probe with it bound next to
    a running `cedula serve` and the new server shared its port (the kernel spread connections
    over both deployments). SO_REUSEADDR, as the servers bind, still takes a port in TIME_WAIT."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return  # an address that cannot be resolved: the server says so itself
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeFailed(f"{host}:{port} is already in use: stop the program listening there "
                                  "or choose another --port (server.port).") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ServeFailed(f"{host} is not an address of this machine: choose one of its addresses "
                                  "(--host, server.host), 127.0.0.1 for this machine only or 0.0.0.0 for "
                                  "all its interfaces.") from None
