"""The direct routes (`infra.web.direct_routes`: /token, /userinfo) behind `cedula serve`, on
both servers: the proxy's client address in the access log, one access line per request with
the answer's request id, the security headers, a form body read from the server's stream."""

from __future__ import annotations

import json
import signal

import pytest
import requests

from idp.serve_workers import GRACEFUL_SECONDS
from tests.conftest import Backend
from tests.support.live import live_server

EMBEDDED = Backend("embedded", "", "")


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_direct_routes_behind_a_trusted_proxy(tmp_path, server):
    with live_server(EMBEDDED, tmp_path, server=server, CEDULA_SERVER_PROXY_HOPS="1",
                     CEDULA_LOGGING_LEVEL="INFO", CEDULA_LOGGING_FORMAT="json") as live:
        forwarded = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}
        userinfo = requests.get(live.url("/userinfo"), headers={**forwarded, "Authorization": "Bearer nope"},
                                timeout=30)
        token = requests.post(live.url("/token"), data={"grant_type": "client_credentials", "client_id": "x"},
                              headers=forwarded, timeout=30)
        oversized = requests.post(live.url("/token"), data={"a": "b" * 2_000_000}, headers=forwarded, timeout=30)
        live.process.send_signal(signal.SIGTERM)
        live.process.wait(timeout=GRACEFUL_SECONDS + 40)
        log = live.stderr()

    assert userinfo.status_code == 401 and userinfo.json()["error"] == "invalid_token"
    assert userinfo.headers["WWW-Authenticate"].startswith("Bearer")
    assert userinfo.headers["X-Frame-Options"] == "DENY" and userinfo.headers["Content-Security-Policy"]
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"
    assert oversized.status_code == 413 and oversized.json()["error"] == "request_too_large"
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = {entry["request_id"]: entry for entry in lines if entry.get("logger") == "cedula.access"}
    for answer, method, path in ((userinfo, "GET", "/userinfo"), (token, "POST", "/token"),
                                 (oversized, "POST", "/token")):
        entry = access[answer.headers["X-Request-Id"]]
        assert (entry["method"], entry["path"], entry["status"], entry["remote"]) == (
            method, path, answer.status_code, "203.0.113.9")
