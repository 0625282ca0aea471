"""The notification outbox: messages written to a table for the operator instead of sent.

The embedded default has no mail server: every message lands here, and `cedula notify
outbox` (or the demo's outbox page) shows it. In production, channels without a transport do
too: letters ("postal", to print and post) and text messages ("phone", to send by hand or a
gateway's upload). Each message is one row, written in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from infra.clock import db_now
from infra.db import Database
from infra.models import NOTIFICATIONS
from infra.notify.base import Sent, check

# What the operator does with a message of each channel that lands here in production.
ACTIONS = {"email": "read", "phone": "text", "postal": "post"}


@dataclass(frozen=True)
class Notification:
    id: int
    created_at: float
    channel: str
    address: str
    subject: str
    body: str
    language: str
    action: str
    done_at: float | None


class OutboxNotifier:
    """A Notifier that writes every message to `infra_notifications`."""

    def __init__(self, database: Database, *, everything_read: bool = True) -> None:
        self.database = database
        # True in the embedded default (the operator reads every message); False when this
        # outbox only takes what no transport can send (letters, text messages).
        self.everything_read = everything_read

    def send(self, *, channel: str, address: str, subject: str, body: str, language: str) -> Sent:
        checked = check(channel=channel, address=address, subject=subject, body=body,
                        language=language)
        action = ACTIONS[checked] if checked == "postal" or not self.everything_read else "read"
        with self.database.transaction() as session:
            new_id = session.execute(
                sa.insert(NOTIFICATIONS).values(
                    created_at=db_now(), channel=checked, address=address.strip(), subject=subject,
                    body=body, language=language, action=action, done_at=None)
                .returning(NOTIFICATIONS.c.id)).scalar_one()
        return Sent(channel=checked, via="outbox", id=str(new_id))

    def messages(self, *, channel: str | None = None, addresses: list[str] | None = None,
                 waiting_only: bool = False, limit: int = 50) -> list[Notification]:
        """The newest messages first, optionally only to these addresses or still waiting."""
        query = sa.select(NOTIFICATIONS)
        if channel:
            query = query.where(NOTIFICATIONS.c.channel == channel)
        if addresses is not None:
            query = query.where(NOTIFICATIONS.c.address.in_(addresses))
        if waiting_only:
            query = query.where(NOTIFICATIONS.c.done_at.is_(None))
        query = query.order_by(NOTIFICATIONS.c.id.desc()).limit(max(1, min(limit, 1000)))
        with self.database.read() as session:
            return [Notification(**row._mapping) for row in session.execute(query)]

    def mark_done(self, message_id: int) -> bool:
        """Record that the operator posted or texted it; False if unknown or already done."""
        with self.database.transaction() as session:
            done = session.execute(
                sa.update(NOTIFICATIONS)
                .where(NOTIFICATIONS.c.id == message_id, NOTIFICATIONS.c.done_at.is_(None))
                .values(done_at=db_now()).returning(NOTIFICATIONS.c.id)).first()
        return done is not None


__all__ = ["ACTIONS", "Notification", "OutboxNotifier"]
