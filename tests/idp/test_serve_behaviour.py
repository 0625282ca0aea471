"""`cedula serve` (granian, the default) as an operator relies on it, against the real server
process: a stop or a reload lets the requests in flight finish, a reload starts workers that
read the settings again, a worker that dies is replaced, a request that never ends does not
hold a stop up, X-Forwarded-* is honoured only from the configured proxies, and each request
is logged once, by the app."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

from idp.serve_workers import GRACEFUL_SECONDS
from tests.conftest import Backend
from tests.support.live import LiveServer, live_server, worker_pids

EMBEDDED = Backend("embedded", "", "")
BODY = b"grant_type=client_credentials&client_id=nobody&client_secret=wrong"


def _until(what: str, check: Callable[[], bool], tries: int = 600) -> None:
    """Ask again (every 0.2 s) until `check` holds; a server that never gets there fails."""
    for _ in range(tries):
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def _port(server: LiveServer) -> int:
    return int(server.base.rsplit(":", 1)[1])


def _half_sent(server: LiveServer) -> socket.socket:
    """A POST /token whose headers and the first bytes of its body have been sent: in flight."""
    connection = socket.create_connection(("127.0.0.1", _port(server)), timeout=60)
    connection.sendall(b"POST /token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                       b"Content-Type: application/x-www-form-urlencoded\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[:10])
    return connection


def _answer(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    connection.close()
    return received


def _refused(server: LiveServer) -> bool:
    try:
        socket.create_connection(("127.0.0.1", _port(server)), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def _stop(server: LiveServer) -> str:
    """Stop the server (SIGTERM) and return everything it wrote to stderr."""
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=GRACEFUL_SECONDS + 40)
    return server.stderr()


def test_ctrl_c_in_a_terminal_stops_the_workers_gracefully(tmp_path):
    """Ctrl-C signals a terminal's whole foreground process group: the workers are stopped by
    their server, not killed after the graceful period for having had SIGINT themselves too."""
    with live_server(EMBEDDED, tmp_path, own_group=True) as server:
        assert worker_pids(server.process)
        os.killpg(server.process.pid, signal.SIGINT)
        server.process.wait(timeout=GRACEFUL_SECONDS + 40)
        log = server.stderr()
    assert "refused to gracefully stop" not in log, log
    assert server.process.returncode == 0, log


def test_sigterm_stops_listening_and_lets_a_request_in_flight_finish(tmp_path):
    with live_server(EMBEDDED, tmp_path) as server:
        in_flight = _half_sent(server)
        server.process.send_signal(signal.SIGTERM)
        _until("the listening socket closed", lambda: _refused(server))
        in_flight.sendall(BODY[10:])  # the rest of the body, once no new connection is taken
        answer = _answer(in_flight)
        assert answer.startswith(b"HTTP/1.1 401 "), answer[:300]  # answered (unknown client), not reset
        assert b'"invalid_client"' in answer
        assert server.process.wait(timeout=GRACEFUL_SECONDS + 40) == 0


def test_a_request_that_never_ends_does_not_hold_the_stop_up(tmp_path):
    """Its worker is killed after the graceful period; the server exits."""
    with live_server(EMBEDDED, tmp_path) as server:
        stuck = _half_sent(server)  # the rest of the body never comes
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=GRACEFUL_SECONDS + 40)
        try:
            received = _answer(stuck)
        except ConnectionResetError:
            received = b""
        assert received == b""  # closed without an answer


def test_sighup_replaces_the_workers_with_ones_that_read_the_settings_again(tmp_path):
    """A reload: new workers load the code and settings as they are now (here the node name
    each response carries); a request in flight on an old worker still gets its answer."""
    config = tmp_path / "extra.toml"
    config.write_text('[server]\nnode_name = "before"\n')
    with live_server(EMBEDDED, tmp_path, CEDULA_CONFIG=str(config)) as server:
        assert requests.get(server.url("/healthz"), timeout=30).headers["Cedula-Node"] == "before"
        old = worker_pids(server.process)
        in_flight = _half_sent(server)
        config.write_text('[server]\nnode_name = "after"\n')
        server.process.send_signal(signal.SIGHUP)
        _until("a new worker answered", lambda: requests.get(
            server.url("/healthz"), timeout=30).headers["Cedula-Node"] == "after")
        in_flight.sendall(BODY[10:])
        answer = _answer(in_flight)
        assert answer.startswith(b"HTTP/1.1 401 "), answer[:300]
        assert b"cedula-node: before" in answer.lower()  # answered by the old worker
        _until("the old workers stopped", lambda: not old & worker_pids(server.process))
        assert worker_pids(server.process)
        for _ in range(5):
            assert requests.get(server.url("/healthz"), timeout=30).headers["Cedula-Node"] == "after"
        assert server.process.poll() is None  # the server itself kept running


def test_a_worker_that_dies_is_replaced(tmp_path):
    with live_server(EMBEDDED, tmp_path) as server:
        [worker] = worker_pids(server.process)
        subprocess.run(["kill", "-KILL", str(worker)], check=True)
        _until("a new worker", lambda: worker_pids(server.process) - {worker} != set())
        _until("served again", lambda: requests.get(server.url("/readyz"), timeout=30).status_code == 200)
        assert server.process.poll() is None


def _log_entries(log: str, logger: str) -> list[dict]:
    """The JSON lines of `logger` in a server's stderr `log`."""
    entries = []
    for line in log.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == logger:
                entries.append(entry)
    return entries


def _served(tmp_path: Path, hops: str, forwarded_for: str) -> tuple[str, str]:
    """One request with X-Forwarded-For through a server trusting `hops` proxies: the request
    id and the server's whole stderr."""
    with live_server(EMBEDDED, tmp_path, CEDULA_SERVER_PROXY_HOPS=hops, CEDULA_LOGGING_LEVEL="INFO",
                     CEDULA_LOGGING_FORMAT="json") as server:
        response = requests.get(server.url("/openapi.json"), timeout=30,
                                headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"})
        assert response.status_code == 200
        return response.headers["X-Request-Id"], _stop(server)


def test_without_trusted_proxies_x_forwarded_for_is_ignored_and_each_request_logged_once(tmp_path):
    request_id, log = _served(tmp_path, "0", "203.0.113.9")
    # Once: no access line of the server's own.
    [entry] = [e for e in _log_entries(log, "cedula.access") if e.get("request_id") == request_id]
    assert entry["remote"] == "127.0.0.1"
    assert "/openapi.json HTTP/1.1" not in log  # granian's (or gunicorn's) own access line


def test_one_trusted_proxy_gives_the_address_it_saw(tmp_path):
    request_id, log = _served(tmp_path, "1", "198.51.100.7, 203.0.113.9")
    [entry] = [e for e in _log_entries(log, "cedula.access") if e.get("request_id") == request_id]
    assert entry["remote"] == "203.0.113.9"  # the client as our one proxy saw it; the rest is the client's say


def test_workers_stop_when_the_server_process_is_killed(tmp_path):
    """SIGKILL to granian's own process (an OOM kill, say): its workers do not serve on, orphaned."""
    with live_server(EMBEDDED, tmp_path) as server:
        workers = worker_pids(server.process)
        assert workers
        server.process.kill()
        server.process.wait(timeout=30)
        _until("the workers stopped", lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
        _until("nothing listens", lambda: _refused(server))


def test_a_graceful_stop_writes_the_counts_not_yet_written(tmp_path):
    """A client credentials token's count is deferred (infra.deferred_counts): a worker that
    stops gracefully writes it on its way out, before a second has passed."""
    from datetime import UTC, datetime

    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db
    from infra.indicators import read
    from tests.support.clock import Span

    with live_server(EMBEDDED, tmp_path) as server:
        with get_db(server.app).transaction() as session:
            registration = register_client(
                session, metadata={"client_name": "Agencia", "redirect_uris": ["https://agency.example/cb"],
                                   "grant_types": ["client_credentials"], "scope": "documents:issue",
                                   "security_profile": "oidc"},
                permissions=Permissions(operator=True), fetch_sector=lambda uri: ["https://agency.example/cb"])
        client_id, secret = registration.client.client_id, registration.client_secret
        began = Span(datetime.now(UTC))  # the count's day: this one or, after a midnight UTC, the next
        response = requests.post(server.url("/token"), data={"grant_type": "client_credentials"},
                                 auth=(client_id, secret), timeout=30)
        assert response.status_code == 200, response.text
        assert _stop(server) is not None and server.process.returncode == 0
        days = began.days()
        with get_db(server.app).read() as session:
            counts = {(c.kind, c.dimension): c.count
                      for c in read(session, start=days[0], end=days[-1], agency=client_id)}
    assert counts == {("token.issued", "client_credentials"): 1}
