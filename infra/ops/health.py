"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can serve).

`/readyz` is public: it names the part that cannot serve and what to do, never the exception
(a driver's message may hold a DSN, a host name or a path); that goes to this node's log."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify

from infra.components import Slot
from infra.db import get_db, pending_heads
from infra.store import get_store

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
READINESS: Slot[dict[str, tuple[Callable[[], object], str]]] = Slot("readiness checks")


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers and is migrated, and the ephemeral store answers."""
    checks: dict[str, dict[str, str]] = {}
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
    for name, (check, advice) in READINESS.of().items():
        try:
            warnings = check()
            checks[name] = ({"status": "warn", "detail": "; ".join(warnings)}
                            if isinstance(warnings, list) and warnings else {"status": "ok"})
        except Exception as exc:
            log.warning("%s not ready", name, extra={"error": str(exc), "error_type": type(exc).__name__})
            checks[name] = {"status": "fail", "detail": advice}
    ready = all(c["status"] in ("ok", "warn") for c in checks.values())
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = "30"
    return response


def add_readiness_check(app: Flask, name: str, check: Callable[[], object], *, advice: str | None = None) -> None:
    """`/readyz` also runs `check`: it raises when the part cannot serve (503 with `advice`, the
    public sentence of what to do; the exception's message goes to the log only), or returns a
    non-empty list of warnings for what still serves but needs an operator soon (200,
    `"status": "warn"` with the warnings, so a balancer keeps the node and a monitor can alert;
    warnings are public: say what to run, never a secret)."""
    READINESS.of(app)[name] = (check, advice or f"{name} cannot serve: the reason is in this node's "
                                                f"log (\"{name} not ready\")")


def init_app(app: Flask) -> None:
    READINESS.install(app, {})
    app.register_blueprint(bp)
