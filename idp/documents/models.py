"""Documents an agency prepared for a citizen to sign (the subject index that finds the citizen
is `idp.oidc.models.SubjectIndex`)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base

# declined: the citizen withdrew the agency's access (consent) while it was waiting.
PREPARED_STATUSES = ("waiting", "signed", "expired", "withdrawn", "declined")


class PreparedDocument(Base):
    """A PDF an agency prepared for one citizen to sign (bytes in the document store)."""

    __tablename__ = "prepared_documents"
    __table_args__ = (sa.Index("ix_prepared_documents_citizen_status", "citizen_id", "status"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64))
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    file_name: Mapped[str] = mapped_column(sa.String(128))
    pages: Mapped[int] = mapped_column(sa.Integer)
    size: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[str] = mapped_column(sa.String(16), default="waiting")
    signed_document_id: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
