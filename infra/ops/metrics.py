"""Prometheus metrics at /metrics: request counts and latency by endpoint, plus domain counters."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from infra.config import get_settings

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("cedula_http_requests_total", "HTTP requests by endpoint and status",
                   ["endpoint", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("cedula_http_request_seconds", "HTTP request latency by endpoint",
                    ["endpoint"], registry=REGISTRY,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
EVENTS = Counter("cedula_events_total", "Domain events (enrolments, sign-ins, failures, ...)",
                 ["event", "outcome"], registry=REGISTRY)

bp = Blueprint("metrics", __name__)


def count(event: str, outcome: str = "ok") -> None:
    """Count a domain event, e.g. count("webauthn.authentication", "refused")."""
    EVENTS.labels(event, outcome).inc()


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    if not current_app_setting(app):
        return

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(bp)


def current_app_setting(app: Flask | None = None) -> bool:
    return bool(get_settings(app)["metrics"]["enabled"])
