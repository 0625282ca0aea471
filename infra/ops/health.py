"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can serve).

`/readyz` is public: it names the part that cannot serve and what to do, never the exception
(a driver's message may hold a DSN, a host name or a path); that goes to this node's log.

The database and the store are pinged on every call (cheap, and a balancer must see them go).
The checks parts register (`add_readiness_check`: the key store, the PKI renewal check, which
may renew a certificate) are run at most once every `[server] readiness_check_seconds` per
process: a balancer polling every second costs no more than that. Their answer, failures
included, is reused until it is that old, and the JSON then says how old it is
(`checked_seconds_ago`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from infra.components import Slot
from infra.config import get_settings
from infra.db import get_db, pending_heads
from infra.store import get_store

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
READINESS: Slot[dict[str, tuple[Callable[[], object], str]]] = Slot("readiness checks")


@dataclass
class _Checked:
    """The registered checks' last answers (name -> (monotonic time, JSON of the check))."""

    results: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


CHECKED: Slot[_Checked] = Slot("readiness check results")


def _run_check(name: str, check: Callable[[], object], advice: str) -> dict[str, Any]:
    try:
        warnings = check()
    except Exception as exc:
        log.warning("%s not ready", name, extra={"error": str(exc), "error_type": type(exc).__name__})
        return {"status": "fail", "detail": advice}
    return ({"status": "warn", "detail": "; ".join(warnings)}
            if isinstance(warnings, list) and warnings else {"status": "ok"})


def _registered_checks(app: Flask) -> dict[str, dict[str, Any]]:
    """Each registered check's answer, run again only when the last one is older than
    `[server] readiness_check_seconds` (one thread runs it; the others wait for its answer)."""
    seconds = get_settings(app).server.readiness_check_seconds
    checked = CHECKED.of(app)
    answers: dict[str, dict[str, Any]] = {}
    with checked.lock:
        for name, (check, advice) in READINESS.of(app).items():
            now = monotonic()
            last = checked.results.get(name)
            if last is None or now - last[0] >= seconds:
                checked.results[name] = (now, _run_check(name, check, advice))
                answers[name] = checked.results[name][1]
            else:  # an earlier answer, and how old it is
                answers[name] = {**last[1], "checked_seconds_ago": int(now - last[0])}
    return answers


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers and is migrated, and the ephemeral store answers."""
    checks: dict[str, dict[str, Any]] = {}
    database = get_db(current_app)
    try:
        database.ping()
        pending = pending_heads(database)
        checks["database"] = (
            {"status": "ok"} if not pending else
            {"status": "fail", "detail": "schema is not up to date: run `cedula db upgrade`"}
        )
    except Exception as exc:  # any driver error means not ready
        log.warning("database not ready", extra={"error": str(exc)})
        checks["database"] = {"status": "fail", "detail": "database unreachable; check CEDULA_DATABASE_URL"}
    store = get_store(current_app)
    try:
        store.ping()
        checks["store"] = {"status": "ok", "backend": "redis" if store.shared else "memory"}
    except Exception as exc:
        log.warning("store not ready", extra={"error": str(exc)})
        checks["store"] = {"status": "fail", "detail": "Redis unreachable; check CEDULA_REDIS_URL"}
    checks.update(_registered_checks(current_app))
    ready = all(c["status"] in ("ok", "warn") for c in checks.values())
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = str(get_settings(current_app).server.retry_after_seconds)
    return response


def add_readiness_check(app: Flask, name: str, check: Callable[[], object], *, advice: str | None = None) -> None:
    """`/readyz` also runs `check`: it raises when the part cannot serve (503 with `advice`, the
    public sentence of what to do; the exception's message goes to the log only), or returns a
    non-empty list of warnings for what still serves but needs an operator soon (200,
    `"status": "warn"` with the warnings, so a balancer keeps the node and a monitor can alert;
    warnings are public: say what to run, never a secret)."""
    CHECKED.of(app).results.pop(name, None)
    READINESS.of(app)[name] = (check, advice or f"{name} cannot serve: the reason is in this node's "
                                                f"log (\"{name} not ready\")")


def init_app(app: Flask) -> None:
    READINESS.install(app, {})
    CHECKED.install(app, _Checked())
    app.register_blueprint(bp)
