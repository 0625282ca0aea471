"""The outbox: deliveries written in the same transaction as the event that causes them.

A sign-out that must reach every agency (back-channel logout), a notice that must reach a
citizen: if the event is committed, its deliveries are too, and if it is rolled back, so are
they. Nothing lives only in a worker's memory or in Redis. Any node delivers: it claims due
messages for a while (a per-message lease by the database's clock, with `FOR UPDATE SKIP
LOCKED` on PostgreSQL so that nodes never wait for each other), delivers, and marks them
delivered. A node that dies mid-delivery leaves its claims to expire; another node takes them
over. So a delivery can happen twice, never zero times: each message has a stable `key`
(unique per topic) that the receiver uses to recognise a repeat (a logout token's `jti`, an
`Idempotency-Key`), which makes the effect happen exactly once.

    Outbox.put(session, topic="logout", key=jti, payload={...})   # in the event's transaction
    OutboxWorker(outbox, {"logout": deliver}, seconds=1).start()   # on every node
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.clock import db_now
from infra.db import Database
from infra.leases import holder_id
from infra.models import OUTBOX
from infra.ops.background import Periodic

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
FAILURES = frozenset({"retry", "gave_up"})
"""Outcomes of a handler that raised: tried again later, or given up after the last attempt."""


@dataclass(frozen=True)
class Message:
    id: int
    topic: str
    key: str
    """Stable across every attempt: the receiver's way to recognise a repeat."""
    payload: dict[str, Any]
    attempts: int
    """Claims so far, this one included."""
    claimed_by: str
    claimed_until: float


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts before a message is given up (state "failed"), and the pauses between them:
    `first_seconds`, then twice as long each time, at most `max_seconds`."""

    max_attempts: int = 6
    first_seconds: float = 5.0
    max_seconds: float = 600.0

    def pause(self, attempts: int) -> float:
        return float(min(self.first_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))

    def gives_up(self, message: Message) -> bool:
        """True when a failure of this attempt is the last one allowed."""
        return message.attempts >= self.max_attempts


def _now(now: float | None) -> Any:
    """An explicit moment (a command or test replaying time), else the database's clock."""
    return db_now() if now is None else sa.literal(float(now), sa.Float())


class Outbox:
    def __init__(self, database: Database, *, holder: str | None = None) -> None:
        self.database = database
        self.holder = holder or holder_id()

    @staticmethod
    def put(session: Session, *, topic: str, key: str, payload: Mapping[str, Any],
            delay_seconds: float = 0.0, now: float | None = None) -> bool:
        """Add a message in the caller's transaction; False if (topic, key) is already there
        (putting the same delivery twice is harmless)."""
        if not topic or not key:
            raise ValueError("an outbox message needs a topic and a key")
        exists = session.execute(sa.select(OUTBOX.c.id).where(
            OUTBOX.c.topic == topic, OUTBOX.c.key == key)).first()
        if exists is not None:
            return False
        try:
            with session.begin_nested():
                session.execute(sa.insert(OUTBOX).values(
                    topic=topic, key=key, payload=json.dumps(dict(payload), separators=(",", ":")),
                    state=PENDING, attempts=0, created_at=db_now(),
                    due_at=_now(now) + delay_seconds))
        except sa.exc.IntegrityError:
            return False  # a concurrent transaction put the same message
        return True

    def claim(self, topic: str, *, limit: int = 20, seconds: float = 30.0,
              now: float | None = None) -> list[Message]:
        """Take up to `limit` messages of `topic` due by `now` (default: the database's clock)
        for `seconds` (each to one claimer)."""
        due = (sa.select(OUTBOX.c.id)
               .where(OUTBOX.c.topic == topic, OUTBOX.c.state == PENDING,
                      OUTBOX.c.due_at <= _now(now),
                      sa.or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until <= db_now()))
               .order_by(OUTBOX.c.due_at, OUTBOX.c.id).limit(limit)
               .with_for_update(skip_locked=True))
        with self.database.transaction() as session:
            rows = session.execute(
                sa.update(OUTBOX).where(OUTBOX.c.id.in_(due.scalar_subquery()))
                .values(claimed_by=self.holder, claimed_until=db_now() + seconds,
                        attempts=OUTBOX.c.attempts + 1)
                .returning(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.payload,
                           OUTBOX.c.attempts, OUTBOX.c.claimed_until)).all()
        return sorted((Message(id=int(r.id), topic=r.topic, key=r.key, payload=json.loads(r.payload),
                               attempts=int(r.attempts), claimed_by=self.holder,
                               claimed_until=float(r.claimed_until)) for r in rows),
                      key=lambda m: m.id)

    def _finish(self, message: Message, **values: Any) -> bool:
        with self.database.transaction() as session:
            row = session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id == message.id, OUTBOX.c.state == PENDING,
                       OUTBOX.c.claimed_by == message.claimed_by,
                       OUTBOX.c.claimed_until == message.claimed_until)
                .values(claimed_by=None, claimed_until=None, **values)
                .returning(OUTBOX.c.id)).first()
        return row is not None

    def delivered(self, message: Message) -> bool:
        """Record the delivery; False when the claim had run out and another node took the
        message over (it will deliver again; the receiver recognises the key)."""
        return self._finish(message, state=DELIVERED, finished_at=db_now(), last_error=None)

    def failed(self, message: Message, *, error: str, policy: RetryPolicy,
               now: float | None = None) -> bool:
        """Schedule the next attempt after the policy's pause (from `now`, default the
        database's clock), or give up after the last (`policy.gives_up(message)`)."""
        if policy.gives_up(message):
            log.error("outbox message given up", extra={"topic": message.topic, "key": message.key,
                                                         "attempts": message.attempts, "error": error})
            return self._finish(message, state=FAILED, finished_at=db_now(), last_error=error[:2000])
        return self._finish(message, due_at=_now(now) + policy.pause(message.attempts),
                            last_error=error[:2000])

    def counts(self, topic: str) -> dict[str, int]:
        """Messages of `topic` by state."""
        with self.database.read() as session:
            rows = session.execute(sa.select(OUTBOX.c.state, sa.func.count())
                                   .where(OUTBOX.c.topic == topic).group_by(OUTBOX.c.state)).all()
        return {state: int(number) for state, number in rows}


Handler = Callable[[Message], object]
"""Delivers one message; raising retries it later. What it returns, when a string, names the
outcome in `deliver_due`'s tally (default "delivered")."""


class OutboxWorker(Periodic):
    """Delivers due messages on every tick: `handlers[topic](message)`; raising retries it.
    Topics are worked in the order of `handlers`, so messages that one handler puts for a later
    topic are delivered in the same pass."""

    name = "cedula-outbox"

    def __init__(self, outbox: Outbox, handlers: Mapping[str, Handler], *, seconds: float,
                 policy: RetryPolicy | None = None, batch: int = 20, claim_seconds: float = 30.0) -> None:
        super().__init__(seconds=seconds)
        self.outbox = outbox
        self.handlers = dict(handlers)
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self.claim_seconds = claim_seconds

    def tick(self) -> None:
        self.deliver_due()

    def deliver_due(self, *, now: float | None = None) -> int:
        """One pass over every topic; the number of messages handled without failing."""
        return sum(n for outcome, n in self.work(now=now).items() if outcome not in FAILURES)

    def work(self, *, now: float | None = None) -> Counter[str]:
        """One pass over every topic, each topic's claimed messages handled by `handle_all`;
        the outcomes and their counts."""
        tally: Counter[str] = Counter()
        for topic, handler in self.handlers.items():
            while True:
                messages = self.outbox.claim(topic, limit=self.batch, seconds=self.claim_seconds, now=now)
                if not messages:
                    break
                tally.update(self.handle_all(topic, handler, messages, now=now))
                if len(messages) < self.batch:
                    break
        return tally

    def handle_all(self, topic: str, handler: Handler, messages: list[Message], *,
                   now: float | None) -> list[str]:
        """Handle claimed messages one after the other (subclasses may do it concurrently)."""
        return [self.handle(topic, handler, message, now=now) for message in messages]

    def handle(self, topic: str, handler: Handler, message: Message, *, now: float | None) -> str:
        try:
            result = handler(message)
        except Exception as exc:
            gives_up = self.policy.gives_up(message)
            log.warning("outbox delivery failed", extra={
                "topic": topic, "key": message.key, "attempts": message.attempts,
                "error": str(exc), "gave_up": gives_up})
            self.outbox.failed(message, error=f"{type(exc).__name__}: {exc}", policy=self.policy, now=now)
            return "gave_up" if gives_up else "retry"
        self.outbox.delivered(message)
        return result if isinstance(result, str) else "delivered"
