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
