"""The operator role: citizens who run the service from the operator console."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class Operator(Base):
    """Granted with `cedula operators grant` (or by another operator in the console); the
    console also needs a sign-in at level high. Revoking keeps the row (who, since when)."""

    __tablename__ = "operators"

    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(sa.String(120))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
