"""The data-sharing log's own signing keys (append-only history)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "idp_audit_0002"
down_revision = "idp_prepared_0001"


def upgrade() -> None:
    op.create_table(
        "audit_log_keys",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(8), nullable=False),
        sa.Column("jwk", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("endorsement", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_audit_log_keys_kid")),
    )


def downgrade() -> None:
    op.drop_table("audit_log_keys")
