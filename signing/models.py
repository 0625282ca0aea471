"""Tables of issued and signed documents (own metadata, own Alembic branch "signing").

The PDF bytes live in the document store (`signing.store`), found by their SHA-256; a row here
is the document's metadata. The citizen is an opaque reference (`subject`, the citizen's
internal id): `signing` knows nothing of the identity provider's tables.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from infra.db import new_metadata

UTC_DATETIME = sa.DateTime(timezone=True)
KINDS = ("sealed", "citizen-signed")
STATUSES = ("valid", "revoked", "superseded")


class Base(DeclarativeBase):
    """Declarative base of the `signing` tables."""

    metadata = new_metadata()


class Document(Base):
    """One issued (sealed) or citizen-signed PDF."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_subject_issued", "subject", "issued_at"),
        sa.Index("ix_documents_client_issued", "client_id", "issued_at"),
        sa.CheckConstraint("kind IN ('sealed', 'citizen-signed')", name="kind"),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'superseded')", name="status"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, public
    csv: Mapped[str] = mapped_column(sa.String(24), unique=True)  # grouped verification code
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  # of the stored PDF, hex
    size: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(16))
    template: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    # The agency that issued it (sealed) or prepared it (citizen-signed); None: an upload.
    client_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    subject: Mapped[str] = mapped_column(sa.String(64))  # the citizen's internal id
    language: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(200))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    issued_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    level: Mapped[str] = mapped_column(sa.String(8))  # PAdES baseline level: B-B ... B-LTA
    signer_serial: Mapped[str] = mapped_column(sa.String(42))  # certificate that signed it
    status: Mapped[str] = mapped_column(sa.String(12), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    superseded_by: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)


class ForgeryReport(Base):
    """Someone was given a document whose well-formed verification code no document has
    (`signing.verify.forgery_reports`); operators read these. No client address is kept."""

    __tablename__ = "forgery_reports"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, the reference
    code: Mapped[str] = mapped_column(sa.String(24), index=True)  # canonical, grouped
    where_found: Mapped[str] = mapped_column(sa.String(1000))  # how they got the document
    contact: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    language: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)
