"""/metrics answers only the operator's bearer token (issue 14: it was public)."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, get_settings, load_settings
from infra.ops.metrics import TOKEN_FILE, metrics_token


def token_of(app) -> str:
    return (get_settings(app).data_dir / TOKEN_FILE).read_text().strip()


@pytest.mark.parametrize("header", [None, "Bearer wrong-token-of-enough-length", "Basic bWV0cmljczpzZWNyZXQ=",
                                    "Bearer "])
def test_metrics_refuse_anyone_without_the_token(client, header):
    answer = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert answer.get_json()["error"] == "invalid_token"
    assert "cedula_http_requests_total" not in answer.get_data(as_text=True)


def test_metrics_answer_the_token_in_the_data_folder(client):
    client.get("/healthz")
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token_of(client.application)}"})
    assert answer.status_code == 200 and "cedula_http_requests_total" in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_token_is_made_once_private_or_taken_from_the_settings(tmp_path):
    settings = load_settings({"server": {"data_dir": str(tmp_path)}}, environ={})
    first = metrics_token(settings)
    assert metrics_token(settings) == first and len(first) >= 40
    assert (tmp_path / TOKEN_FILE).stat().st_mode & 0o777 == 0o600
    configured = load_settings({"server": {"data_dir": str(tmp_path)}},
                               environ={"CEDULA_METRICS_TOKEN": "t" * 32})
    assert metrics_token(configured) == "t" * 32
    with pytest.raises(ConfigError, match="at least 20 characters"):
        metrics_token(load_settings({"server": {"data_dir": str(tmp_path)}, "metrics": {"token": "short"}},
                                    environ={}))


def test_the_exposition_names_its_format_once_so_prometheus_can_parse_the_content_type(client):
    """Prometheus 3 refuses a scrape whose Content-Type it cannot parse (Go's
    mime.ParseMediaType rejects a repeated parameter): `charset` was there twice."""
    from email.message import Message

    from prometheus_client import CONTENT_TYPE_LATEST

    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token_of(client.application)}"})
    assert answer.headers["Content-Type"] == CONTENT_TYPE_LATEST
    header = Message()
    header["Content-Type"] = answer.headers["Content-Type"]
    names = [name for name, _ in header.get_params()[1:]]
    assert names.count("charset") == 1 and header.get_content_type() == "text/plain"
