"""Helpers for consent tests: the OIDC fixtures, a back-channel logout listener, the log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from tests.idp.oidc.conftest import citizen, oidc_app, register  # noqa: F401  (fixtures)


class Listener:
    """An agency's back-channel logout endpoint: a tiny HTTP server on 127.0.0.1."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                listener.received.extend(form.get("logout_token", []))
                listener.arrived.set()
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        # shutdown() waits for the loop's next look (0.5 s by default): look often.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    handle = Listener()
    yield handle
    handle.close()


@pytest.fixture
def delivery(app):
    """The back-channel logout worker with its thread stopped: tests run it themselves."""
    from tests.idp.logout.conftest import stopped_worker

    with stopped_worker(app) as worker:
        yield worker


def log_of(app, citizen_id: str) -> list:
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.citizen_ref == citizen_id)
                                    .order_by(AuditEntry.id)))


def csrf_from(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
