"""OpenID Provider: agencies' APIs as protected resources (RFC 8707 resource indicators)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "idp_oidc_0003"
down_revision = "idp_operator_0001"


def upgrade() -> None:
    op.create_table(
        "oidc_resources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identifier", sa.String(500), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("clients", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_resources")),
        sa.UniqueConstraint("identifier", name=op.f("uq_oidc_resources_identifier")),
    )


def downgrade() -> None:
    op.drop_table("oidc_resources")
