"""Idempotent issuing: `POST /api/documents` (and `POST /api/documents/prepared`) with an
`Idempotency-Key` header.

An agency that retries an issue request after a timeout (or after the node it reached died)
gets the document the first request issued, never a second one. The key is scoped to the
agency (client_id); the request's fingerprint is the SHA-256 of its JSON body in canonical
form (sorted keys), so the same key with a different body is refused (422). The result (the
document's id) is stored in the document's own transaction: a document exists if and only if
its key says "done" (`infra.idempotency`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import get_settings, read_section
from infra.db import get_db
from infra.idempotency import Claim, IdempotencyKeys, Replay, parse_key

IDEMPOTENCY: Slot[IdempotencyKeys] = Slot("documents idempotency keys")
HEADER = "Idempotency-Key"
MAX_KEEP_HOURS = 720  # 30 days


def keep_hours(settings: Any) -> int:
    """`[documents] idempotency_keep_hours`, checked (a ConfigError naming it otherwise)."""
    return read_section(settings, "documents").whole("idempotency_keep_hours", minimum=1,
                                                     maximum=MAX_KEEP_HOURS, unit="hours")


def init_app(app: Flask) -> None:
    """Checked when the app is built, so `cedula serve` (and every command) refuses a bad value."""
    hours = keep_hours(get_settings(app))
    IDEMPOTENCY.install(app, IdempotencyKeys(get_db(app), keep_seconds=hours * 3600.0))


def idempotency_keys(app: Flask | None = None) -> IdempotencyKeys:
    return IDEMPOTENCY.of(app)


def fingerprint(body: Any) -> str:
    """SHA-256 of the body as canonical JSON: the same request however its members are ordered."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def begin(keys: IdempotencyKeys, *, client_id: str, header: str | None,
          body: Any, operation: str = "documents") -> Replay | Claim | None:
    """None without the header; else the stored result or this request's claim on the key
    (keys are the agency's own, per `operation`: "documents" issues, "prepared" prepares).
    Raises `infra.idempotency.IdempotencyError` (invalid key, reused, in progress)."""
    key = parse_key(header)
    if key is None:
        return None
    return keys.begin(scope=f"{operation}:{client_id}", key=key, fingerprint=fingerprint(body))
