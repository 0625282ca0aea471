"""The citizen's sign-in history: each sign-in and passkey re-check, newest kept, for the
security page ("Recent sign-ins"). Where is the browser and system only ("Chrome|macOS"),
never the User-Agent or an address."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class SignIn(Base):
    __tablename__ = "sign_ins"
    __table_args__ = (sa.Index("ix_sign_ins_citizen_at", "citizen_id", "at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # "sign_in" (a new session) or "recheck" (a passkey check in a running session).
    # "sign_in" (a new session), "recheck" (a passkey check in a running session) or
    # "recovery" (a session opened with a recovery code) or "wallet" (signed in with a PID).
    kind: Mapped[str] = mapped_column(sa.String(16))
    device: Mapped[str | None] = mapped_column(sa.String(80))
    # The passkey's label at the time (the passkey may be renamed or deleted since).
    passkey_name: Mapped[str | None] = mapped_column(sa.String(64))
