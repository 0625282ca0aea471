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


class ProofingEvidence(Base):
    """One piece of evidence about a citizen's identity, as it was gathered (append only):
    a register match, a code received on a register channel, a document checked in person,
    a reclaimed national ID. Shown on the citizen's assurance page."""

    __tablename__ = "proofing_evidence"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # levels.PROOFING_METHODS or "reclaim"
    # Who vouched: the register's name, a service point.
    source: Mapped[str] = mapped_column(sa.String(100))
    # What was used, without personal data: a channel and a masked address ("email a•••@x.org").
    detail: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class PossessionCode(Base):
    """A one-time code sent to a contact of record of the civil register, kept only as
    HMAC-SHA256(key, id, code): whoever enters it controls that channel.

    `purpose` "proofing": the claimant is a signed-in citizen raising their own proofing;
    "reclaim": the claimant is a browser that says "this is my ID and I did not enrol"."""

    __tablename__ = "possession_codes"
    __table_args__ = (
        sa.Index("ix_possession_codes_claimant", "purpose", "claimant", "created_at"),
        sa.Index("ix_possession_codes_national_id", "national_id_scheme", "national_id",
                 "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))
    claimant: Mapped[str] = mapped_column(sa.String(64))
    national_id_scheme: Mapped[str] = mapped_column(sa.String(40))
    national_id: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(16))
    address_hint: Mapped[str] = mapped_column(sa.String(120))
    source: Mapped[str] = mapped_column(sa.String(100))
    code_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


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


class PossessionAttempt(Base):
    """A wrong code entered: counted per claimant and per national ID over a short window
    (`assurance.code_window_seconds`), so guessing is slow and the real holder is never
    locked out for longer than that window."""

    __tablename__ = "possession_attempts"
    __table_args__ = (
        sa.Index("ix_possession_attempts_claimant", "purpose", "claimant", "at"),
        sa.Index("ix_possession_attempts_national_id", "national_id_scheme", "national_id", "at"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))
    claimant: Mapped[str] = mapped_column(sa.String(64))
    national_id_scheme: Mapped[str] = mapped_column(sa.String(40))
    national_id: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
