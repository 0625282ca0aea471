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

from idp.serve_workers import MULTIPROCESS_ENV, ServeError, metrics_folder
from infra.config import Settings

__all__ = ["MULTIPROCESS_ENV", "SERVERS", "ServeError", "metrics_folder", "serve"]

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
    if bool(settings["metrics"]["enabled"]):
        metrics_folder(settings)
    if server == "gunicorn":
        from idp.serve_gunicorn import serve_gunicorn

        serve_gunicorn(settings, host=host, port=port, workers=workers)
    else:
        from idp.serve_granian import serve_granian

        serve_granian(settings, host=host, port=port, workers=workers)
