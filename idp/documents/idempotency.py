"""Idempotent issuing: `POST /api/documents` with an `Idempotency-Key` header.

An agency that retries an issue request after a timeout (or after the node it reached died)
gets the document the first request issued, never a second one. The key is scoped to the
agency (client_id); the request's fingerprint is the SHA-256 of its JSON body in canonical
form (sorted keys), so the same key with a different body is refused (422). The result (the
document's id) is stored in the document's own transaction: a document exists if and only if
its key says "done" (`infra.idempotency`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.db import get_db
from infra.idempotency import Claim, IdempotencyKeys, Replay, parse_key
from signing.service import Directory, DocumentService

IDEMPOTENCY: Slot[IdempotencyKeys] = Slot("documents idempotency keys")
HEADER = "Idempotency-Key"


def init_app(app: Flask) -> None:
    IDEMPOTENCY.install(app, IdempotencyKeys(get_db(app)))


def idempotency_keys(app: Flask | None = None) -> IdempotencyKeys:
    return IDEMPOTENCY.of(app)


def fingerprint(body: Any) -> str:
    """SHA-256 of the body as canonical JSON: the same request however its members are ordered."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def begin(keys: IdempotencyKeys, *, client_id: str, header: str | None,
          body: Any) -> Replay | Claim | None:
    """None without the header; else the stored result or this request's claim on the key.
    Raises `infra.idempotency.IdempotencyError` (invalid key, reused, in progress)."""
    key = parse_key(header)
    if key is None:
        return None
    return keys.begin(scope=f"documents:{client_id}", key=key, fingerprint=fingerprint(body))


class _CompletingDirectory:
    """The documents' directory, which also completes the claim in the document's transaction."""

    def __init__(self, inner: Directory, keys: IdempotencyKeys, claim: Claim) -> None:
        self._inner = inner
        self._keys = keys
        self._claim = claim

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def record(self, session: Any, *, event: str, citizen_id: str, client_id: str | None,
               document_id: str) -> None:
        self._inner.record(session, event=event, citizen_id=citizen_id, client_id=client_id,
                           document_id=document_id)
        if event == "document.issued":
            self._keys.complete(session, self._claim, {"document_id": document_id})


def issuing_service(service: DocumentService, keys: IdempotencyKeys, claim: Claim | None) -> DocumentService:
    """`service`, or with a claim a copy of it whose directory completes the claim when the
    issued document is recorded (same transaction as the document row)."""
    if claim is None:
        return service
    bound = copy.copy(service)
    bound.directory = _CompletingDirectory(service.directory, keys, claim)
    return bound
