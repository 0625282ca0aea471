"""The facts a level of assurance is computed from, kept per passkey and per citizen."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class PasskeyAssurance(Base):
    """What the attestation of a passkey proved when it was registered.

    The attestation format and backup eligibility are on the passkey itself
    (`passkeys.attestation_format`, `passkeys.backup_eligible`); a passkey without a row
    here (registered before, or with no policy) counts as an unattested passkey.
    """

    __tablename__ = "assurance_passkeys"

    passkey_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("passkeys.id", ondelete="CASCADE"), primary_key=True)
    # The attestation chained to a root listed for this authenticator in the FIDO metadata.
    attestation_trusted: Mapped[bool] = mapped_column(sa.Boolean)
    authenticator_level: Mapped[str] = mapped_column(sa.String(16))
    # RFC 8176 value of the only user verification method the metadata lists, if one.
    uv_method: Mapped[str | None] = mapped_column(sa.String(8))
    # The authenticator's description in the metadata (e.g. "YubiKey 5 Series").
    description: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class IdentityProofing(Base):
    """How well the citizen's identity is proven; no row means self-asserted (low)."""

    __tablename__ = "identity_proofing"

    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16))
    method: Mapped[str] = mapped_column(sa.String(32))  # levels.PROOFING_METHODS
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class IdentityDocument(Base):
    """An identity document a registrar checked in person."""

    __tablename__ = "identity_documents"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[str] = mapped_column(sa.String(32))
    document_number: Mapped[str] = mapped_column(sa.String(64))
    expiry: Mapped[date] = mapped_column(sa.Date)
    checked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Who checked it: a registrar (citizen id) at a service point, or an operator.
    checked_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    service_point: Mapped[str] = mapped_column(sa.String(100))
