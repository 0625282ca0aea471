"""/metrics with two gunicorn workers: the totals are the server's, whichever worker answers."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.live import live_server

SENT = 40


def _count(body: str, endpoint: str) -> float:
    return sum(float(value) for value in re.findall(
        r'^cedula_http_requests_total\{[^}]*endpoint="' + re.escape(endpoint) + r'"[^}]*\} (\S+)$', body, re.M))


def test_two_workers_report_every_request(backend, tmp_path):
    if backend.name != "production":
        pytest.skip("several workers need Redis (the production backend)")
    # Each worker is replaced after 10 requests: the counts of every worker that ever ran,
    # dead or alive, must add up (not only those of the worker that answers the scrape).
    with live_server(backend, tmp_path, CEDULA_SERVER_WORKERS="2", CEDULA_SERVER_MAX_REQUESTS="10") as server:
        token = (tmp_path / "metrics.token").read_text().strip()
        folder = tmp_path / "metrics-multiproc"
        before = _count(requests.get(server.url("/metrics"), headers={"Authorization": f"Bearer {token}"},
                                     timeout=60).text, "openapi.openapi_json")
        for _ in range(SENT):  # a new connection each time
            assert requests.get(server.url("/openapi.json"), timeout=60,
                                headers={"Connection": "close"}).status_code == 200
        pids = {p.name.split("_")[1].split(".")[0] for p in folder.glob("counter_*.db")}
        assert len(pids) >= 3, f"workers should have been replaced while serving: {sorted(pids)}"
        for _ in range(4):  # every scrape, from either worker, gives the same total
            body = requests.get(server.url("/metrics"), headers={"Authorization": f"Bearer {token}"},
                                timeout=60).text
            assert _count(body, "openapi.openapi_json") - before == SENT
