"""Per-request metrics: the request count and the latency of every answered request."""

from __future__ import annotations

import re

from tests.support.metrics import scrape as _metrics
from tests.support.metrics import value as _value


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
