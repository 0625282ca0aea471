"""The platform's own tables: leases, the outbox, idempotency records, the notification outbox
and daily indicators.

Times are seconds since the Unix epoch read from the database's clock (`infra.clock.db_now`),
so processes on machines whose clocks disagree still agree on who holds what.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from infra.db import new_metadata

# A 64-bit id on PostgreSQL; SQLite's rowid alias must be INTEGER to autoincrement.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of the platform's tables."""

    metadata = new_metadata()


class LeaseRow(Base):
    """Who may do one piece of background work now, until when, and the fencing token."""

    __tablename__ = "infra_leases"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(120))
    token: Mapped[int] = mapped_column(sa.BigInteger)
    expires_at: Mapped[float] = mapped_column(sa.Float)


class OutboxRow(Base):
    """A delivery written in the same transaction as the event that causes it."""

    __tablename__ = "infra_outbox"
    __table_args__ = (
        sa.UniqueConstraint("topic", "key", name="uq_infra_outbox_topic_key"),
        sa.Index("ix_infra_outbox_topic_state_due", "topic", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(200))
    payload: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[float] = mapped_column(sa.Float)
    due_at: Mapped[float] = mapped_column(sa.Float)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    claimed_until: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class IdempotencyRow(Base):
    """One client request made idempotent by its key: its fingerprint, state and result."""

    __tablename__ = "infra_idempotency"
    __table_args__ = (sa.Index("ix_infra_idempotency_expires_at", "expires_at"),)

    scope: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16))  # pending | done
    result: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    holder: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    created_at: Mapped[float] = mapped_column(sa.Float)
    expires_at: Mapped[float] = mapped_column(sa.Float)


class NotificationRow(Base):
    """A message to a person that no transport delivered automatically (`infra.notify`): in the
    embedded default every message, in production letters to print and post and text messages
    without a gateway. The operator reads them with `cedula notify outbox`."""

    __tablename__ = "infra_notifications"
    __table_args__ = (sa.Index("ix_infra_notifications_address", "channel", "address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[float] = mapped_column(sa.Float)
    channel: Mapped[str] = mapped_column(sa.String(16))  # email | phone | postal
    address: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(35))
    # What the operator does with it: "read" (embedded default), "post" (print and post),
    # "text" (send as a text message).
    action: Mapped[str] = mapped_column(sa.String(16))
    # When the operator marked it done (posted, texted); None while it waits.
    done_at: Mapped[float | None] = mapped_column(sa.Float, nullable=True)


# The tables as Core objects, for statements built without the ORM's unit of work.
LEASES = cast(sa.Table, LeaseRow.__table__)
OUTBOX = cast(sa.Table, OutboxRow.__table__)
IDEMPOTENCY = cast(sa.Table, IdempotencyRow.__table__)
NOTIFICATIONS = cast(sa.Table, NotificationRow.__table__)


class IndicatorRow(Base):
    """A daily count: how many times `kind` happened on `day` for `agency` (a client id, or ""
    for the platform itself), split by one `dimension` (a level, an authenticator kind, a
    result, or ""). `shard` spreads concurrent increments of one count over a few rows, so
    that busy transactions do not queue on one row lock; readers add the shards up."""

    __tablename__ = "infra_indicators"
    __table_args__ = (sa.Index("ix_infra_indicators_kind_day", "kind", "day"),)

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    agency: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    shard: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger)


INDICATORS = cast(sa.Table, IndicatorRow.__table__)
