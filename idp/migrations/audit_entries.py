"""The body of an entry of the data-sharing log (`audit_entries`: what was released, to whom,
why), as every migration of that table declares it: created in idp_consent_0001, copied into a
rebuilt table on SQLite by idp_audit_0001.

Stable forever, like `infra.migration_columns`: never change what a name here gives.
"""

from __future__ import annotations

import sqlalchemy as sa

from infra.migration_columns import UTC

BODY = ("at", "event", "citizen_ref", "client_id", "purpose", "legal_basis", "law", "claims", "reference")
"""The body's column names, in table order."""


def body_columns() -> list[sa.Column]:
    """New Column objects for the body (a Column belongs to one table: call once per table)."""
    return [
        sa.Column("at", UTC, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("citizen_ref", sa.String(64), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("purpose", sa.String(500), nullable=True),
        sa.Column("legal_basis", sa.String(16), nullable=False),
        sa.Column("law", sa.String(500), nullable=True),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
    ]
