"""Tables of the key custody and the document PKI (own metadata, own Alembic branch "keys").

No private key is ever stored in clear: `keys_key.wrapped` holds AES-256-GCM ciphertext
(software store) and is empty for keys that live in a PKCS#11 token.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from infra.db import new_metadata

UTC_DATETIME = sa.DateTime(timezone=True)


class Base(DeclarativeBase):
    """Declarative base of the `keys` tables."""

    metadata = new_metadata()


class StoredKey(Base):
    """A private key in custody: its public half, and where the private half lives."""

    __tablename__ = "keys_key"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # hex; PKCS#11 CKA_ID
    purpose: Mapped[str] = mapped_column(sa.String(16))  # oidc, root, issuing, tsa, ocsp, seal, citizen
    algorithm: Mapped[str] = mapped_column(sa.String(16))
    backend: Mapped[str] = mapped_column(sa.String(16))
    wrapped: Mapped[bytes | None] = mapped_column(sa.LargeBinary(), nullable=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary())  # SubjectPublicKeyInfo DER
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class SigningKey(Base):
    """An OpenID Connect signing key and its rotation timeline (all times UTC).

    In the JWKS from `published_at` until `remove_at`; signs from `active_at` until `retired_at`.
    """

    __tablename__ = "keys_signing_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # RFC 7638 thumbprint
    key_id: Mapped[str] = mapped_column(sa.ForeignKey("keys_key.id"), unique=True)
    alg: Mapped[str] = mapped_column(sa.String(8))
    published_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    active_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    retired_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    remove_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)


class Certificate(Base):
    """Every certificate the PKI issued, with its revocation state (RFC 5280, section 5.3.1)."""

    __tablename__ = "keys_certificate"
    __table_args__ = (sa.Index("ix_keys_certificate_client_role", "client_id", "role"),)

    serial: Mapped[str] = mapped_column(sa.String(42), primary_key=True)  # lower-case hex
    role: Mapped[str] = mapped_column(sa.String(16))  # root, issuing, tsa, ocsp, seal, citizen
    issuer: Mapped[str] = mapped_column(sa.String(16))  # the CA that signed it: root or issuing
    name: Mapped[str | None] = mapped_column(sa.String(16), nullable=True, unique=True)
    subject: Mapped[str] = mapped_column(sa.Text())
    client_id: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    key_id: Mapped[str] = mapped_column(sa.ForeignKey("keys_key.id"))
    der: Mapped[bytes] = mapped_column(sa.LargeBinary())
    not_before: Mapped[datetime] = mapped_column(UTC_DATETIME)
    not_after: Mapped[datetime] = mapped_column(UTC_DATETIME)
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    invalidity_date: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    """Since when the key is known or suspected compromised (RFC 5280, section 5.3.2)."""
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class RevocationList(Base):
    """The current CRL of one CA (RFC 5280, section 5); `number` only grows."""

    __tablename__ = "keys_crl"

    ca: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    number: Mapped[int] = mapped_column(sa.BigInteger())
    der: Mapped[bytes] = mapped_column(sa.LargeBinary())
    this_update: Mapped[datetime] = mapped_column(UTC_DATETIME)
    next_update: Mapped[datetime] = mapped_column(UTC_DATETIME)


class KeyState(Base):
    """Small named values: change counters other processes poll, the master key check value."""

    __tablename__ = "keys_state"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger(), default=0)
    value: Mapped[str] = mapped_column(sa.String(128), default="")
