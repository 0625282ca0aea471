"""The wallet's tables: the data behind each issued document, the credentials issued for it,
and one Token Status List per agency. (Offers, access tokens and nonces are short-lived and
live in the store.)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base

UTC_DATETIME = sa.DateTime(timezone=True)


class CredentialData(Base):
    """The validated template data of an issued document, kept (in the transaction that issued
    it) so that the same document can be issued again as a wallet credential."""

    __tablename__ = "wallet_document_data"

    document_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    template: Mapped[str] = mapped_column(sa.String(40))
    client_id: Mapped[str] = mapped_column(sa.String(64))
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class StatusList(Base):
    """One Token Status List of an agency (draft-ietf-oauth-status-list): its public id, its
    size in entries, and the next free index (indexes are handed out in order)."""

    __tablename__ = "wallet_status_lists"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.Integer)
    next_index: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class IssuedCredential(Base):
    """One SD-JWT VC issued to a wallet: its document, its place in a status list, the
    thumbprint of the holder key it is bound to, and what the wallet said about it."""

    __tablename__ = "wallet_credentials"
    __table_args__ = (sa.UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    configuration_id: Mapped[str] = mapped_column(sa.String(64))
    status_list_id: Mapped[str] = mapped_column(sa.String(32),
                                                sa.ForeignKey("wallet_status_lists.id"))
    status_index: Mapped[int] = mapped_column(sa.Integer)
    holder_jkt: Mapped[str] = mapped_column(sa.String(64))
    issued_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    expires_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    notification_id: Mapped[str] = mapped_column(sa.String(43), unique=True)
    wallet_event: Mapped[str | None] = mapped_column(sa.String(24), nullable=True)
    wallet_event_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    # The passkey that checked the session which made the offer or gave the code
    # (`idp.webauthn.encoding.passkey_mark`; None: not known), and when the credential was
    # revoked on its own (that passkey deleted: a lost phone's, whose holder took the
    # credential into their own wallet). Invalid in its list from then on, like a credential
    # whose document is no longer valid.
    passkey: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
