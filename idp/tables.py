"""The declarative base of the identity provider's tables (each domain package adds its own)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from infra.db import new_metadata


class Base(DeclarativeBase):
    """Declarative base of the identity provider's tables."""

    metadata = new_metadata()
