"""Prometheus metrics at /metrics: request counts and latency by endpoint, plus domain counters.

Requests and domain events carry an `agency` label (the client_id) where the request is made by,
or for, a registered agency that the provider has identified (an authenticated client, an
agency token, a validated authorization request); "" otherwise. A client_id that nobody
authenticated never becomes a label value, so outsiders cannot grow the series.

With several worker processes (`cedula serve --workers N` sets PROMETHEUS_MULTIPROC_DIR to a
fresh folder before the workers start), counters and histograms live in prometheus_client's
multiprocess files and /metrics adds every worker's up (`MultiProcessCollector`): the totals are
the server's, whichever worker answers the scrape. Collectors computed on scrape (the PKI
lifetimes of `keys.renewal`) stay in `REGISTRY` and are read by the worker that answers.

`/metrics` answers only a bearer token (RFC 6750 section 2.1): `[metrics] token`
(CEDULA_METRICS_TOKEN), or when it is empty a random one kept in `<data_dir>/metrics.token`
(mode 0600, shared by the workers of a machine). Request counts by endpoint and status tell
an outsider what the service does and to whom; only the operator's scraper reads them.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from infra.components import Slot
from infra.config import ConfigError, Settings, get_settings
from infra.web import direct_routes
from infra.web.errors import json_error

TOKEN_FILE = "metrics.token"  # noqa: S105 - a file name
TOKEN: Slot[str] = Slot("metrics bearer token")

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
REGISTRY = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""The request methods labelled as themselves; any other token a client sends is "other"."""

REQUESTS = Counter("cedula_http_requests_total", "HTTP requests by endpoint, status and agency",
                   ["endpoint", "method", "status", "agency"], registry=None)
LATENCY = Histogram("cedula_http_request_seconds", "HTTP request latency by endpoint",
                    ["endpoint"], registry=None,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
EVENTS = Counter("cedula_events_total", "Domain events (enrolments, sign-ins, failures, ...) by agency",
                 ["event", "outcome", "agency"], registry=None)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


if multiprocess_dir() is None:  # one process: its own counters are the totals
    for _metric in (REQUESTS, LATENCY, EVENTS):
        REGISTRY.register(_metric)

bp = Blueprint("metrics", __name__)


def count(event: str, outcome: str = "ok", *, agency: str | None = None) -> None:
    """Count a domain event, e.g. count("webauthn.authentication", "refused"); `agency` a
    client_id the provider identified (never one taken unchecked from a request)."""
    EVENTS.labels(event, outcome, (agency or "")[:64]).inc()


def label_agency(client_id: str) -> None:
    """This request is made by (or for) the identified agency `client_id`: its request count
    carries the agency label."""
    # Into the request's globals as `g.metrics_agency = ...` writes it, without the proxy's and
    # `_AppCtxGlobals.__setattr__`'s Python calls (once per /token and UserInfo, issue 16).
    g._get_current_object().__dict__["metrics_agency"] = client_id[:64]


def exposition() -> bytes:
    """Every metric in the text format: all workers' counters in multiprocess mode."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY)
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    return generate_latest(combined) + generate_latest(REGISTRY)


@bp.get("/metrics")
def metrics() -> Response:
    expected = TOKEN.of()
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        return json_error(401, "invalid_token", "The metrics need the bearer token of [metrics] token, or the "
                          "one in the data folder's metrics.token (Authorization: Bearer ...).",
                          headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    # content_type, not mimetype: werkzeug adds "; charset=utf-8" to a text/* mimetype, and
    # CONTENT_TYPE_LATEST has one already (a repeated parameter: Prometheus 3 refuses the scrape)
    response = Response(exposition(), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def metrics_token(settings: Settings) -> str:
    """The configured token, or the one in <data_dir>/metrics.token (made once, mode 0600)."""
    configured = str(settings["metrics"].get("token", ""))
    if configured:
        if len(configured) < 20:
            raise ConfigError("metrics.token must be at least 20 characters (e.g. `openssl rand -base64 32`)")
        return configured
    path = Path(settings.data_dir) / TOKEN_FILE
    try:
        token = _read_or_make_token(path)
    except (OSError, UnicodeDecodeError) as exc:
        cause = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) else "not ASCII text"
        raise ConfigError(f"metrics.token is empty and {path} cannot be read or made ({cause}): make it a file "
                          "this user can read (or delete it to make a new one), or set CEDULA_METRICS_TOKEN") from None
    if len(token) < 20:
        raise ConfigError(f"{path} holds no usable token; delete it to make a new one")
    return token


def _read_or_make_token(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Written aside, then linked into place: workers starting together all read one token.
        draft = path.with_name(f".{TOKEN_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def init_app(app: Flask) -> None:
    if not current_app_setting(app):
        return
    TOKEN.install(app, metrics_token(get_settings(app)))

    # A labelled child per label set, kept here: `labels()` validates and locks on every call.
    counters: dict[tuple[str, str, str, str], Any] = {}
    histograms: dict[str, Any] = {}

    def observe(asked: direct_routes.Exchange, status: int, _headers: direct_routes.HeaderSink) -> None:
        here = g._get_current_object().__dict__  # looked up once; `__dict__.get` is what `g.get` calls
        endpoint = asked.endpoint or "unmatched"
        method = asked.method if asked.method in METHODS else "other"  # no series per made-up token
        key = (endpoint, method, str(status), here.get("metrics_agency", ""))
        counter = counters.get(key)
        if counter is None:
            counter = counters[key] = REQUESTS.labels(*key)
        counter.inc()
        started = here.get("started")  # set by infra.ops.logging before every request
        if started is not None:
            histogram = histograms.get(endpoint)
            if histogram is None:
                histogram = histograms[endpoint] = LATENCY.labels(endpoint)
            histogram.observe(time.perf_counter() - started)

    @app.after_request
    def _observe(response: Response) -> Response:
        observe(request._get_current_object(), response.status_code, response.headers)  # type: ignore[attr-defined]
        return response

    direct_routes.on_finish(app, observe)  # direct routes (infra.web.direct_routes): the same

    app.register_blueprint(bp)


def current_app_setting(app: Flask | None = None) -> bool:
    return bool(get_settings(app)["metrics"]["enabled"])
