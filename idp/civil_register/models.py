"""The imported copy of the authoritative civil register (`cedula registry import FILE`)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.tables import Base


class RegisterRecord(Base):
    __tablename__ = "registry_records"
    __table_args__ = (
        sa.UniqueConstraint("national_id_scheme", "national_id",
                            name="uq_registry_records_national_id"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    national_id_scheme: Mapped[str] = mapped_column(sa.String(40))
    national_id: Mapped[str] = mapped_column(sa.String(64))
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    birthdate: Mapped[date] = mapped_column(sa.Date)
    # The register's contacts of record, to which proofing sends one-time codes (any may be
    # missing): an e-mail address, a phone number (E.164 digits) and a postal address (lines
    # separated by "\n").
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    postal_address: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
