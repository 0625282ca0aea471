"""Messages queued in the transaction of the change they report, sent later by a worker.

A notice about a change (a passkey added, a recovery code used) is written to the outbox
(`infra.outbox`, topic `TOPIC`) in the change's own transaction: committed with it, rolled
back with it, never lost when a node dies. The request that made the change never waits for a
mail server: `NotifyWorker` (a daemon thread per process, polling every `[notify]
poll_seconds`, or `cedula notify deliver` by hand) claims due messages and sends them through
the application's notifier (`infra.notify.get_notifier`). A transport that fails
(`DeliveryFailed`: the server is down or slow) is tried again later, backing off, a bounded
number of times; a message the transport refuses as malformed is given up at once.

    queue(session, key=..., channel="email", address=..., subject=..., body=..., language="es")
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import Session

from infra.db import get_db
from infra.notify.base import InvalidMessage, Notifier, check
from infra.outbox import Message, Outbox, OutboxWorker, RetryPolicy

log = logging.getLogger(__name__)

TOPIC = "notify.send"
FIELDS = ("channel", "address", "subject", "body", "language")
# A mail server down for a while: tried after 30 s, then twice as long each time, for a day.
POLICY = RetryPolicy(max_attempts=12, first_seconds=30.0, max_seconds=3 * 3600.0)


def queue(session: Session, *, key: str, channel: str, address: str, subject: str, body: str,
          language: str) -> bool:
    """Queue one message in the caller's transaction (checked now: a malformed one raises
    `InvalidMessage` here, not in the worker). `key`: unique per message (a repeat of the
    same key is queued once). False when it was queued already."""
    checked = check(channel=channel, address=address, subject=subject, body=body, language=language)
    return Outbox.put(session, topic=TOPIC, key=key, payload={
        "channel": checked, "address": address, "subject": subject, "body": body,
        "language": language})


def send_queued(notifier: Notifier, message: Message) -> str:
    """Send one queued message; `DeliveryFailed` propagates (the outbox tries again later)."""
    fields = {name: str(message.payload.get(name, "")) for name in FIELDS}
    try:
        notifier.send(**fields)
    except InvalidMessage as exc:  # never better on a later attempt
        log.error("queued message refused by the transport", extra={"key": message.key, "error": str(exc)})
        return "refused"
    return "sent"


class NotifyWorker(OutboxWorker):
    """Sends the queued messages of one process (`run_once`, or a daemon thread)."""

    name = "cedula-notify"

    def __init__(self, app: Flask, *, notifier: Callable[[], Notifier], seconds: float,
                 policy: RetryPolicy = POLICY) -> None:
        """`notifier`: the application's notifier, looked up at each message."""
        self.app = app
        super().__init__(Outbox(get_db(app)), {TOPIC: lambda message: send_queued(notifier(), message)},
                         seconds=seconds, policy=policy, batch=20, claim_seconds=120.0)

    def tick(self) -> None:
        self.run_once()

    def run_once(self, *, now: float | None = None) -> Counter[str]:
        """Send what is due by `now` (default: the database's clock); the outcomes and counts."""
        started = time.monotonic()
        with self.app.app_context():
            tally = +self.work(now=now)
        if tally:
            log.info("queued messages worked", extra={"outcomes": dict(tally),
                                                      "seconds": round(time.monotonic() - started, 3)})
        return tally


__all__ = ["POLICY", "TOPIC", "NotifyWorker", "queue", "send_queued"]
