"""Citizens, their passkeys and their one-time recovery codes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from idp.tables import Base


class Citizen(Base):
    """One person, one identity: the national ID (normalised, per scheme) is unique."""

    __tablename__ = "citizens"
    __table_args__ = (
        sa.UniqueConstraint("national_id_scheme", "national_id",
                            name="uq_citizens_national_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    # WebAuthn user.id (W3C WebAuthn Level 3, section 5.4.3): random, carries no personal data.
    user_handle: Mapped[bytes] = mapped_column(sa.LargeBinary(64), unique=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    birthdate: Mapped[date] = mapped_column(sa.Date)
    national_id_scheme: Mapped[str] = mapped_column(sa.String(40))
    national_id: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    passkeys: Mapped[list[Passkey]] = relationship(
        back_populates="citizen", order_by="Passkey.created_at", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Passkey(Base):
    """A WebAuthn public key credential registered to a citizen."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    # Credential IDs are at most 1023 bytes (W3C WebAuthn Level 3, section 4, Credential ID).
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # COSE_Key
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    aaguid: Mapped[str] = mapped_column(sa.String(36))
    attestation_format: Mapped[str] = mapped_column(sa.String(32))
    transports: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    backup_eligible: Mapped[bool] = mapped_column(sa.Boolean)
    backed_up: Mapped[bool] = mapped_column(sa.Boolean)
    name: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Where it was created and last used, as "browser|system" ("Chrome|macOS"), never the raw
    # User-Agent (idp.account.passkey_devices); None where it is not known.
    created_device: Mapped[str | None] = mapped_column(sa.String(80))
    last_used_device: Mapped[str | None] = mapped_column(sa.String(80))
    # When an assertion with a valid signature came with a counter that did not grow (W3C
    # WebAuthn Level 3, section 7.2, step 22: a cloned authenticator): refused from then on,
    # until the citizen removes it. None: no such signal.
    suspect_since: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    citizen: Mapped[Citizen] = relationship(back_populates="passkeys")


class RecoveryCode(Base):
    """A one-time recovery code, kept only as HMAC-SHA256(key, citizen id, code)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


# A closed account's national ID is replaced by a keyed hash with this prefix (idp.consent.closure).
CLOSED_PREFIX = "closed:"


# A frozen account's national ID (given back to its holder, idp.assurance.reclaim) is replaced
# by a keyed tombstone with this prefix.
FROZEN_PREFIX = "frozen:"


def is_frozen(citizen: Citizen) -> bool:
    return citizen.national_id.startswith(FROZEN_PREFIX)


def is_closed(citizen: Citizen) -> bool:
    """The account was closed (right to erasure): its personal data is erased."""
    return citizen.national_id.startswith(CLOSED_PREFIX)
