"""Registrars (agents of a service point) and the operator audit trail of their actions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class Registrar(Base):
    """The registrar role of a citizen, granted by an operator (`cedula registrar grant`)."""

    __tablename__ = "registrars"

    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    service_point: Mapped[str] = mapped_column(sa.String(100))
    granted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(sa.String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RegistrarAuditEntry(Base):
    """One action of a registrar or an operator. Append-only; no foreign keys, so the trail
    outlives the accounts it names."""

    __tablename__ = "registrar_audit"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(sa.String(120))  # "registrar:<uuid>" | "operator:<name>"
    service_point: Mapped[str | None] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(40))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
