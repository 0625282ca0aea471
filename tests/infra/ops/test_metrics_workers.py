"""/metrics with two workers: the totals are the server's, whichever worker answers, also
after workers were replaced (their counters stay, counted once)."""

from __future__ import annotations

import re
import signal
import time

import pytest
import requests

from tests.support.live import live_server, worker_pids

SENT = 40


def _count(body: str, endpoint: str) -> float:
    return sum(float(value) for value in re.findall(
        r'^cedula_http_requests_total\{[^}]*endpoint="' + re.escape(endpoint) + r'"[^}]*\} (\S+)$', body, re.M))


def _send(server, count: int) -> None:
    for _ in range(count):  # a new connection each time
        assert requests.get(server.url("/openapi.json"), timeout=60,
                            headers={"Connection": "close"}).status_code == 200


def _replaced_by_reload(server) -> None:
    """SIGHUP (granian): every worker replaced; wait until none of the old ones is left."""
    old = worker_pids(server.process)
    server.process.send_signal(signal.SIGHUP)
    for _ in range(900):
        now = worker_pids(server.process)
        if now and not now & old:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the workers {sorted(old)} were not replaced")


@pytest.mark.parametrize("server_name", ["granian", "gunicorn"])
def test_two_workers_report_every_request(backend, tmp_path, server_name):
    if backend.name != "production":
        pytest.skip("several workers need Redis (the production backend)")
    # gunicorn replaces each worker after 10 requests; granian replaces them all on SIGHUP.
    # The counts of every worker that ever ran, dead or alive, must add up (not only those of
    # the worker that answers the scrape).
    extra = {"CEDULA_SERVER_MAX_REQUESTS": "10"} if server_name == "gunicorn" else {}
    with live_server(backend, tmp_path, server=server_name, CEDULA_SERVER_WORKERS="2", **extra) as server:
        token = (tmp_path / "metrics.token").read_text().strip()
        folder = tmp_path / "metrics-multiproc"
        before = _count(requests.get(server.url("/metrics"), headers={"Authorization": f"Bearer {token}"},
                                     timeout=60).text, "openapi.openapi_json")
        _send(server, SENT // 2)
        if server_name == "granian":
            _replaced_by_reload(server)
        _send(server, SENT - SENT // 2)
        pids = {p.name.split("_")[1].split(".")[0] for p in folder.glob("counter_*.db")}
        assert len(pids) >= 3, f"workers should have been replaced while serving: {sorted(pids)}"
        for _ in range(4):  # every scrape, from either worker, gives the same total
            body = requests.get(server.url("/metrics"), headers={"Authorization": f"Bearer {token}"},
                                timeout=60).text
            assert _count(body, "openapi.openapi_json") - before == SENT
