"""Per-request metrics: the request count and the latency of every answered request."""

from __future__ import annotations

import re

from infra.config import get_settings
from infra.ops.metrics import TOKEN_FILE


def _metrics(client) -> str:
    token = (get_settings(client.application).data_dir / TOKEN_FILE).read_text().strip()
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)


def _value(body: str, pattern: str) -> float:
    found = re.search(pattern + r" ([0-9.e+]+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_each_request_is_counted_and_timed(client):
    endpoint = client.application.url_map.bind("localhost").match("/healthz")[0]
    before = _metrics(client)
    client.get("/healthz")
    client.get("/healthz")
    after = _metrics(client)
    count = rf'cedula_http_requests_total\{{agency="",endpoint="{re.escape(endpoint)}",method="GET",status="200"\}}'
    timed = rf'cedula_http_request_seconds_count\{{endpoint="{re.escape(endpoint)}"\}}'
    assert _value(after, count) - _value(before, count) == 2
    assert _value(after, timed) - _value(before, timed) == 2
