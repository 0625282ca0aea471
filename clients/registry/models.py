"""Registered agency clients (RFC 7591 metadata) and initial access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from infra.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Client(Base):
    """An agency portal registered as an OAuth 2.0 / OIDC client."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # SHA-256 of the secret (secrets are 256-bit random, so a fast hash is safe); None for
    # private_key_jwt and public clients.
    secret_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    registration_token_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    # Everything else, with RFC 7591 / OIDC Registration names, as validated.
    client_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", sa.JSON)
    # Set by an operator only: may ask for `public` subjects, restricted scopes.
    operator_registered: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The pairwise sector (OIDC Core 8.1), fixed at the client's first grant: later metadata
    # changes never re-key the subjects citizens already have (`cedula clients move-sector`).
    sector: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    # private_key_jwt `aud` rule: "strict" (the issuer, one string: FAPI 2.0, the class of
    # CVE-2025-27370/27371), or "legacy" (issuer, token endpoint or the endpoint called, arrays
    # too) for clients registered before strict became the rule. Set by an operator only.
    assertion_audience: Mapped[str] = mapped_column(sa.String(8), default="strict", server_default="strict")
    # A backchannel_logout_uri an operator approved although it is not on a redirect URI's host.
    backchannel_approved_uri: Mapped[str | None] = mapped_column(sa.String(2000), default=None)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class InitialAccessToken(Base):
    """RFC 7591 section 3: a bearer token that allows dynamic registration."""

    __tablename__ = "client_initial_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    # Scopes a client registered with this token may ask for (empty: the default scopes).
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    uses_left: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class AgencyLogo(Base):
    """An agency's logo, checked (clients.registry.raster) and kept here so that citizens'
    pages load it from Cédula's own origin (`/agency-logos/<sha256>`), never from the agency.
    One row per client and language tag ("" for the untagged `logo_uri`)."""

    __tablename__ = "agency_logos"
    __table_args__ = (sa.UniqueConstraint("client_id", "language", name="uq_agency_logos_client_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    language: Mapped[str] = mapped_column(sa.String(35), default="")
    # "fetched" from logo_uri, or "uploaded" by an operator (a fetch never replaces that).
    source: Mapped[str] = mapped_column(sa.String(16))
    source_uri: Mapped[str | None] = mapped_column(sa.String(2000), default=None)
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True, default=None)
    content_type: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary, default=None)
    # The last failure to fetch (shown to operators), and when; None after a success.
    error: Mapped[str | None] = mapped_column(sa.String(300), default=None)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
