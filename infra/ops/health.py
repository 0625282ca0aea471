"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can serve).

`/readyz` is public: it names the part that cannot serve and what to do, never the exception
(a driver's message may hold a DSN, a host name or a path); that goes to this node's log.

Every part's answer is kept (`_Checked`), so that a flood of `/readyz` (it needs no
credentials) costs the parts behind it no more than a balancer polling it:

- the database and the store are pinged again at every call while they answer (cheap, and a
  balancer must see them go);
- the checks parts register (`add_readiness_check`: the key store, the PKI renewal check,
  which may renew a certificate) run at most once every `[server] readiness_check_seconds`
  while they pass (the JSON then says how old the answer is: `checked_seconds_ago`), so a
  part that fails shows within that many seconds;
- a failure, of any part, is kept for `failure_seconds` (at most `FAILURE_SECONDS`, never
  longer than `readiness_check_seconds`): during an outage the database or Redis is not
  asked again by every call, and the node is ready again at most that long after the part;
- one thread at a time checks a part, outside the lock that guards the answers: the other
  calls answer with the part's last answer instead of queueing behind a check that waits for
  a connection timeout (only the very first calls, with no answer yet, wait for it, at most
  `WAIT_SECONDS`). A 503 keeps its Retry-After."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from time import monotonic
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from infra.components import Slot
from infra.config import get_settings
from infra.db import get_db, newer_revisions, pending_heads
from infra.ops import outages
from infra.store import get_store

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
READINESS: Slot[dict[str, tuple[Callable[[], object], str]]] = Slot("readiness checks")
FAILURE_SECONDS = 2.0  # the longest a failure is kept: the node is back at most this late
WAIT_SECONDS = 10.0    # the longest a call with no earlier answer waits for a running check
Answer = dict[str, Any]


@dataclass
class _Checked:
    """The parts' last answers (name -> (monotonic time, JSON of the check)) and the checks
    running now (name -> set when its answer is in). `lock` guards both, never a check."""

    results: dict[str, tuple[float, Answer]] = field(default_factory=dict)
    running: dict[str, threading.Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


CHECKED: Slot[_Checked] = Slot("readiness check results")


def failure_seconds(app: Flask) -> float:
    """How long a failed answer is reused: short, bounded, not beyond the success interval."""
    return min(FAILURE_SECONDS, float(get_settings(app).server.readiness_check_seconds))


def _aged(at: float, answer: Answer, now: float) -> Answer:
    return {**answer, "checked_seconds_ago": int(now - at)}


def _answer(app: Flask, name: str, run: Callable[[], Answer], *, ok_seconds: float) -> Answer:
    """`name`'s answer: the kept one while it is young enough (`ok_seconds` when it passed,
    `failure_seconds` when it failed) or another thread is checking the part; else `run()`,
    in this thread, outside the lock."""
    checked = CHECKED.of(app)
    with checked.lock:
        now = monotonic()
        last = checked.results.get(name)
        if last is not None:
            keep = failure_seconds(app) if last[1]["status"] == "fail" else ok_seconds
            if now - last[0] < keep or name in checked.running:
                return _aged(last[0], last[1], now)
        waiting = checked.running.get(name)
        if waiting is None:
            checked.running[name] = threading.Event()
    if waiting is not None:  # the first answer is being found: wait for it, not for ever
        waiting.wait(WAIT_SECONDS)
        with checked.lock:
            found = checked.results.get(name)
        if found is None:
            return {"status": "fail", "detail": f"{name} is still being checked; try again shortly"}
        return found[1]
    return _run_alone(checked, name, run)


def _run_alone(checked: _Checked, name: str, run: Callable[[], Answer]) -> Answer:
    """`run()`, by the one thread that holds `checked.running[name]`; keeps its answer and
    lets the waiting threads go (also when `run` raised)."""
    answer: Answer | None = None
    try:
        answer = run()
        return answer
    finally:
        with checked.lock:
            if answer is not None:
                checked.results[name] = (monotonic(), answer)
            checked.running.pop(name).set()


class NotReady(Exception):
    """Raised by a registered check whose message is public: `/readyz` answers it as the
    detail instead of the check's fixed advice (say what is wrong and which setting to change;
    never a secret, a host name or a path)."""


def _run_check(name: str, check: Callable[[], object], advice: str) -> Answer:
    try:
        warnings = check()
    except NotReady as exc:
        log.warning("%s not ready", name, extra={"error": str(exc), "error_type": type(exc).__name__})
        return {"status": "fail", "detail": str(exc)}
    except Exception as exc:
        log.warning("%s not ready", name, extra={"error": str(exc), "error_type": type(exc).__name__})
        return {"status": "fail", "detail": advice}
    return ({"status": "warn", "detail": "; ".join(warnings)}
            if isinstance(warnings, list) and warnings else {"status": "ok"})


def _registered_checks(app: Flask) -> dict[str, Answer]:
    """Each registered check's answer, run again only when the last pass is older than
    `[server] readiness_check_seconds` or the last failure older than `failure_seconds`."""
    seconds = get_settings(app).server.readiness_check_seconds
    return {name: _answer(app, name, partial(_run_check, name, check, advice), ok_seconds=seconds)
            for name, (check, advice) in list(READINESS.of(app).items())}


def _database() -> Answer:
    database = get_db(current_app)
    try:
        database.ping()
        pending = pending_heads(database)
        newer = newer_revisions(database) if pending else set()  # `cedula db upgrade` cannot migrate it
    except Exception as exc:  # any driver error means not ready
        log.warning("database not ready", extra={"error": str(exc), "action": outages.DATABASE})
        return {"status": "fail", "detail": "database unreachable; check CEDULA_DATABASE_URL"}
    if not pending:
        return {"status": "ok"}
    if newer:
        return {"status": "fail", "detail": "a newer release migrated the schema: run that release, or restore "
                                            "the backup taken before its upgrade (docs/operations.md, Upgrades)"}
    return {"status": "fail", "detail": "schema is not up to date: run `cedula db upgrade`"}


def _store() -> Answer:
    store = get_store(current_app)
    try:
        store.ping()
    except Exception as exc:
        log.warning("store not ready", extra={"error": str(exc), "action": outages.STORE})
        return {"status": "fail", "detail": "Redis unreachable; check CEDULA_REDIS_URL"}
    return {"status": "ok", "backend": "redis" if store.shared else "memory"}


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers and is migrated, and the ephemeral store answers."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    checks: dict[str, Answer] = {
        # Pinged at every call while they answer (ok_seconds=0); a failure is kept a moment.
        "database": _answer(app, "database", _database, ok_seconds=0),
        "store": _answer(app, "store", _store, ok_seconds=0),
    }
    checks.update(_registered_checks(app))
    ready = all(c["status"] in ("ok", "warn") for c in checks.values())
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = str(get_settings(current_app).server.retry_after_seconds)
    return response


def add_readiness_check(app: Flask, name: str, check: Callable[[], object], *, advice: str | None = None) -> None:
    """`/readyz` also runs `check`: it raises when the part cannot serve (503 with `advice`, the
    public sentence of what to do; the exception's message goes to the log only, unless it is a
    `NotReady`, whose message is the public sentence), or returns a
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
