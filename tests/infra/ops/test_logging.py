"""Each node of a cluster says who it is: a response header and a field in every log line."""

from __future__ import annotations

import json
import logging

from idp import create_app
from infra.ops.logging import NODE_HEADER, JsonFormatter
from tests.conftest import settings_for


def test_node_name_in_header_and_logs(app, backend, tmp_path, monkeypatch):
    monkeypatch.setattr(JsonFormatter, "node", "")
    app = create_app(settings_for(backend, tmp_path, server={"node_name": "node-b"}))
    response = app.test_client().get("/healthz")
    assert response.headers[NODE_HEADER] == "node-b"
    line = json.loads(JsonFormatter().format(logging.makeLogRecord({"msg": "hello"})))
    assert line["node"] == "node-b"


def test_no_node_header_by_default(client):
    assert NODE_HEADER not in client.get("/healthz").headers
