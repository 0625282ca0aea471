"""The index from an agency's view of a citizen (its `sub`) back to the citizen.

A pairwise `sub` is an HMAC (OIDC Core 1.0 section 8.1) and cannot be reversed, and computing
it for every citizen to find one is out of the question at national scale. So every subject
the provider gives out is recorded here when the grant that carries it is made (one row per
sector and citizen), and an agency's `subject` is found with one primary-key read.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class SubjectIndex(Base):
    """(sector, pairwise sub) -> citizen."""

    __tablename__ = "document_subjects"

    sector: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)


class IndexedSector(Base):
    """A sector whose grants made before the index existed have been indexed (once)."""

    __tablename__ = "document_subject_sectors"

    sector: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    indexed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


PREPARED_STATUSES = ("waiting", "signed", "expired", "withdrawn")


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
