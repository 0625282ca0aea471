"""Agency client registry."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "clients_0001"
down_revision = None
branch_labels = ("clients",)


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("registration_token_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("operator_registered", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_clients_client_id")),
    )
    op.create_table(
        "client_initial_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("uses_left", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_initial_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_client_initial_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("client_initial_tokens")
    op.drop_table("clients")
