"""A WSGI application answered by a thread on a free localhost port: a real HTTP peer for tests
(the provider under Chromium, an agency's back-channel logout endpoint)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

App = TypeVar("App", bound=Callable[..., Iterable[bytes]])


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # one line per request is noise here
        pass


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@contextmanager
def serving_in_thread(build: Callable[[str], App], *, name: str,
                      handler: type[WSGIRequestHandler] = QuietHandler) -> Iterator[tuple[str, App]]:
    """(base URL, the app `build(base URL)` makes), answered by a daemon thread until the block
    ends. The port is bound first, so the app can know the URL it is reached at."""
    server: BaseWSGIServer = make_server("localhost", 0, _starting, threaded=True, request_handler=handler)
    base = f"http://localhost:{server.port}"
    app = build(base)
    server.app = app
    # serve_forever looks for shutdown() every poll_interval (0.5 s by default): each block's
    # end would wait that long, and logout tests start and stop a receiver each.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name=name, daemon=True)
    thread.start()
    try:
        yield base, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
