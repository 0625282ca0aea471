"""Idempotent requests: a client's retry of a request it sent before gets the first result.

The IETF's Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) names a request
the client may send more than once (after a timeout, a lost connection, a crashed node). The
first request with a key claims it; the result is stored in the same transaction as the work
it describes (`complete(session, ...)`), so either both exist or neither does. A retry then:

- with the same key and the same request (fingerprint): gets the stored result (`Replay`);
- while the first is still being worked on: `InProgress` (409, with the seconds to wait);
- with the same key and a different request: `KeyReused` (422);
- after the first attempt died (its node was killed): claims the key again once the dead
  attempt's lease ran out (`lease_seconds`, renewed while the work goes on), and does the work.

Keys are scoped (one agency cannot see or block another's) and kept `keep_seconds` (the
documents API passes `[documents] idempotency_keep_hours`).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.clock import db_now
from infra.db import Database
from infra.leases import holder_id
from infra.models import IDEMPOTENCY

log = logging.getLogger(__name__)

PENDING, DONE = "pending", "done"
MAX_KEY_LENGTH = 255


class IdempotencyError(Exception):
    """A request's Idempotency-Key cannot be honoured; `error` and the message say why."""

    status = 400
    error = "invalid_idempotency_key"


class InvalidKey(IdempotencyError):
    """The header is not a key: empty, too long, or not visible ASCII (status and error: the base's)."""


class KeyReused(IdempotencyError):
    """The key was used before with a different request."""

    status = 422
    error = "idempotency_key_reused"


class InProgress(IdempotencyError):
    """The first request with this key is still being worked on."""

    status = 409
    error = "request_in_progress"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Replay:
    """The stored result of the first request with this key."""

    result: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """This request holds the key: do the work, then `complete` in the work's transaction."""

    scope: str
    key: str
    holder: str


def parse_key(value: str | None) -> str | None:
    """The key of an `Idempotency-Key` header (a Structured Field string, RFC 8941 section
    3.3.3, as the draft says; a bare token is accepted too), or None without the header."""
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise InvalidKey(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters, got {len(value)}")
    if any(not 0x21 <= ord(c) <= 0x7E or c in '"\\' for c in value):
        raise InvalidKey("Idempotency-Key may hold only visible ASCII characters other than "
                         "'\"' and '\\' (e.g. a UUID)")
    return value


class IdempotencyKeys:
    def __init__(self, database: Database, *, lease_seconds: float = 10.0,
                 keep_seconds: float = 86400.0) -> None:
        self.database = database
        self.lease_seconds = lease_seconds
        self.keep_seconds = keep_seconds
        self._calls = count()

    def begin(self, *, scope: str, key: str, fingerprint: str) -> Replay | Claim:
        """Claim `key` for this request, or say why not (see the module's docstring)."""
        if next(self._calls) % 256 == 0:
            self.purge()
        holder = holder_id()
        table = IDEMPOTENCY
        where = (table.c.scope == scope, table.c.key == key)
        with self.database.transaction() as session:
            session.execute(sa.delete(table).where(*where, table.c.expires_at <= db_now()))
            row = session.execute(sa.select(table).where(*where)).first()
            if row is None:
                try:
                    with session.begin_nested():
                        session.execute(sa.insert(table).values(
                            scope=scope, key=key, fingerprint=fingerprint, state=PENDING,
                            holder=holder, lease_until=db_now() + self.lease_seconds,
                            created_at=db_now(), expires_at=db_now() + self.keep_seconds))
                    return Claim(scope, key, holder)
                except sa.exc.IntegrityError:  # a concurrent first request: read what it wrote
                    row = session.execute(sa.select(table).where(*where)).one()
            if row.fingerprint != fingerprint:
                raise KeyReused("this Idempotency-Key was already used with a different request; "
                                "use a new key for a new request")
            if row.state == DONE:
                return Replay(json.loads(row.result))
            claimed = session.execute(
                sa.update(table)
                .where(*where, table.c.state == PENDING,
                       sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= db_now()))
                .values(holder=holder, lease_until=db_now() + self.lease_seconds)
                .returning(table.c.key)).first()
            if claimed is not None:
                log.info("idempotency key taken over", extra={"scope": scope, "idempotency_key": key})
                return Claim(scope, key, holder)
            remaining = session.execute(sa.select(table.c.lease_until - db_now()).where(*where)).scalar()
        raise InProgress("the first request with this Idempotency-Key is still being processed; "
                         "send it again later", retry_after=max(1, math.ceil(float(remaining or 1))))

    def complete(self, session: Session, claim: Claim, result: Mapping[str, Any]) -> None:
        """Store the result in the caller's transaction (the one that stores the work itself).
        Raises InProgress when another request took the key over meanwhile: roll back then."""
        table = IDEMPOTENCY
        done = session.execute(
            sa.update(table)
            .where(table.c.scope == claim.scope, table.c.key == claim.key,
                   table.c.state == PENDING, table.c.holder == claim.holder)
            .values(state=DONE, result=json.dumps(dict(result), separators=(",", ":")),
                    holder=None, lease_until=None)
            .returning(table.c.key)).first()
        if done is None:
            raise InProgress("another request with this Idempotency-Key took over; send it again "
                             "to get its result", retry_after=1)

    def abandon(self, claim: Claim) -> None:
        """The work failed and left nothing: let the next request with the key in at once."""
        table = IDEMPOTENCY
        with self.database.transaction() as session:
            session.execute(sa.update(table).where(
                table.c.scope == claim.scope, table.c.key == claim.key,
                table.c.state == PENDING, table.c.holder == claim.holder).values(lease_until=None))

    @contextmanager
    def working(self, claim: Claim) -> Iterator[None]:
        """Keep the claim alive while the block runs (longer work than `lease_seconds`)."""
        done = threading.Event()
        table = IDEMPOTENCY

        def renew() -> None:
            while not done.wait(self.lease_seconds / 3):
                try:
                    with self.database.transaction() as session:
                        session.execute(sa.update(table).where(
                            table.c.scope == claim.scope, table.c.key == claim.key,
                            table.c.state == PENDING, table.c.holder == claim.holder)
                            .values(lease_until=db_now() + self.lease_seconds))
                except Exception as exc:
                    log.warning("idempotency claim not renewed", extra={"error": str(exc)})

        thread = threading.Thread(target=renew, name="idempotency-claim", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def purge(self) -> int:
        """Forget keys older than `keep_seconds`; how many were removed."""
        with self.database.transaction() as session:
            removed = session.execute(sa.delete(IDEMPOTENCY).where(
                IDEMPOTENCY.c.expires_at <= db_now()).returning(IDEMPOTENCY.c.key)).all()
        return len(removed)
