"""Consents: what a citizen allowed one agency to receive, claim by claim, until when.

One row per decision. A newer decision for the same agency supersedes the older one
(`superseded_at`); a revocation ends it (`revoked_at`). The row keeps the signed receipt of
the decision (and of its withdrawal), so the citizen can download them at any time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (sa.Index("ix_consents_citizen_client", "citizen_id", "client_id"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(sa.String(64))
    # Claim names granted (always "sub"), and optional ones the citizen unticked; plus the
    # permission "offline_access" when it was asked for.
    claims: Mapped[list[str]] = mapped_column(sa.JSON)
    declined: Mapped[list[str]] = mapped_column(sa.JSON)
    # Snapshots of what the citizen was shown: the agency's name and purpose, the legal basis.
    agency_name: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str | None] = mapped_column(sa.String(500))
    legal_basis: Mapped[str] = mapped_column(sa.String(16))
    law: Mapped[str | None] = mapped_column(sa.String(500))
    given_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    receipt: Mapped[str] = mapped_column(sa.Text)
    withdrawal_receipt: Mapped[str | None] = mapped_column(sa.Text)
