"""Grants (one authorization of a client by a citizen) and their refresh tokens.

Authorization codes live in the ephemeral store (single use, 60 s); access tokens are
self-contained JWTs whose grant is checked where they are presented. Refresh tokens are kept
only as SHA-256 digests (they are 256-bit random values).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class Grant(Base):
    """What a citizen authorised a client to receive, from one sign-in (session `sid`)."""

    __tablename__ = "oidc_grants"
    __table_args__ = (sa.Index("ix_oidc_grants_citizen_client", "citizen_id", "client_id"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("citizens.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    # The `claims` request parameter as granted (OIDC Core 5.5), for UserInfo and refreshes.
    claims: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # No index of its own: looked up only with the citizen (ix_oidc_grants_citizen_client).
    sid: Mapped[str] = mapped_column(sa.String(128))
    auth_time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    acr: Mapped[str] = mapped_column(sa.String(200))
    amr: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Why it was revoked: "code_reuse", "refresh_reuse", "revocation", "citizen".
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(32))
    # RFC 8707 section 2.1: the resources the authorization request named (None or empty: none);
    # every token of the grant, refreshed ones too, is for one of them (idp.oidc.resources).
    resources: Mapped[list[str] | None] = mapped_column(sa.JSON, default=None)
    # The passkey the session was signed in (or last re-checked) with when the code was issued
    # (`idp.webauthn.encoding.passkey_mark`); None for another way in or a grant older than
    # this column. Deleting the passkey revokes the grant, also once its session ended.
    passkey: Mapped[str | None] = mapped_column(sa.String(64), default=None)


class RefreshToken(Base):
    """One refresh token of a grant; rotated on every use (OAuth 2.0 Security BCP, RFC 9700 4.14)."""

    __tablename__ = "oidc_refresh_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("oidc_grants.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Set when it is exchanged: presenting it again revokes the whole grant.
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # RFC 9449 section 5: a public client's refresh token works only with a proof of this key.
    dpop_jkt: Mapped[str | None] = mapped_column(sa.String(64), default=None)


class Resource(Base):
    """An agency's API registered as a protected resource (RFC 8707): tokens asked for it carry
    its identifier as `aud` and only the scopes it accepts; its owner client may introspect them."""

    __tablename__ = "oidc_resources"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    # The resource indicator (RFC 8707 section 2): an absolute URI without a fragment.
    identifier: Mapped[str] = mapped_column(sa.String(500), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The provider's scopes this API accepts; a token for it carries no other.
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    # The clients that may ask for tokens for it.
    clients: Mapped[list[str]] = mapped_column(sa.JSON)
    # The client the API authenticates as when it introspects tokens (RFC 7662).
    owner: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


# The index from an agency's view of a citizen (its `sub`) back to the citizen
# (`idp.oidc.subjects`). A pairwise `sub` is an HMAC (OIDC Core 1.0 section 8.1) and cannot be
# reversed, and computing it for every citizen to find one is out of the question at national
# scale. So every subject the provider gives out is recorded when the grant that carries it is
# made (one row per sector and citizen), and an agency's `subject` is found with one read.


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


# The token endpoint's writes, built once (SQLAlchemy Core, compiled cache): only the values are
# bound per request, and no mapped object goes through the session's unit of work.
INSERT_GRANT = sa.insert(cast(sa.Table, Grant.__table__))
INSERT_REFRESH_TOKEN = sa.insert(cast(sa.Table, RefreshToken.__table__))
