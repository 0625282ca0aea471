"""Invalidity date of a revoked certificate (RFC 5280, section 5.3.2)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "keys_0002"
down_revision = "keys_0001"


def upgrade() -> None:
    op.add_column("keys_certificate",
                  sa.Column("invalidity_date", UTC, nullable=True))


def downgrade() -> None:
    op.drop_column("keys_certificate", "invalidity_date")
