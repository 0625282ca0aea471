"""Single logout tests: an agency's back-channel endpoint on loopback, the queue worked by hand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest

from tests.idp.oidc.conftest import citizen, oidc_app, register  # noqa: F401 - fixtures
from tests.support.ports import refused_port
from tests.support.wsgi import serving_in_thread


@dataclass
class Receiver:
    """An agency's backchannel_logout_uri: records every POST, answers with `status`."""

    base: str
    status: int = 200
    received: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def uri(self, name: str = "a") -> str:
        return f"{self.base}/{name}/backchannel-logout"

    def tokens(self, name: str | None = None) -> list[str]:
        with self.lock:
            return [r["form"]["logout_token"][0] for r in self.received
                    if name is None or r["path"] == f"/{name}/backchannel-logout"]

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode()
        with self.lock:
            self.received.append({"path": environ["PATH_INFO"], "method": environ["REQUEST_METHOD"],
                                  "content_type": environ.get("CONTENT_TYPE", ""),
                                  "form": parse_qs(body)})
            status = self.status
        headers = [("Content-Type", "text/plain")]
        if status in (301, 302, 303, 307, 308):
            headers.append(("Location", f"{self.base}/elsewhere"))
        start_response(f"{status} X", headers)
        return [b""]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving_in_thread(Receiver, name="backchannel-receiver") as (_base, recorder):
        yield recorder


@pytest.fixture
def dead_uri() -> str:
    """A loopback port nobody listens on (connection refused at once)."""
    return f"http://127.0.0.1:{refused_port()}/backchannel-logout"


@contextmanager
def stopped_worker(app):
    """The app's back-channel logout worker with its thread stopped (started again after, if it
    ran): a test calls `run_once` itself."""
    from idp.logout import get_logout

    handle = get_logout(app).worker
    was_running = handle.running
    handle.stop()
    try:
        yield handle
    finally:
        if was_running:
            handle.start()


@pytest.fixture(autouse=True)
def worker(app):
    """The app's delivery worker with its thread stopped: tests call `run_once` themselves."""
    with stopped_worker(app) as handle:
        yield handle


@pytest.fixture
def agencies(register, receiver):  # noqa: F811 - the fixture imported above
    return {
        "a": register(client_name="Registro Civil", backchannel_logout_uri=receiver.uri("a"),
                      backchannel_logout_session_required=True),
        "b": register(client_name="Hacienda", backchannel_logout_uri=receiver.uri("b"),
                      backchannel_logout_session_required=False, id_token_signed_response_alg="RS256"),
        "quiet": register(client_name="Sin cierre"),  # registered no back-channel logout URI
    }
