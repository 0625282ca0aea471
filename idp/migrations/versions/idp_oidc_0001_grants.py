"""OpenID Provider: grants and refresh tokens."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_oidc_0001"
down_revision = "idp_0001"


def upgrade() -> None:
    op.create_table(
        "oidc_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("sid", sa.String(128), nullable=False),
        sa.Column("auth_time", UTC, nullable=False),
        sa.Column("acr", sa.String(200), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
        foreign_key("oidc_grants", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_grants")),
    )
    op.create_index("ix_oidc_grants_citizen_client", "oidc_grants", ["citizen_id", "client_id"])
    op.create_index(op.f("ix_oidc_grants_sid"), "oidc_grants", ["sid"])
    op.create_table(
        "oidc_refresh_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        foreign_key("oidc_refresh_tokens", "grant_id", "oidc_grants.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oidc_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_oidc_refresh_tokens_grant_id"), "oidc_refresh_tokens", ["grant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oidc_refresh_tokens_grant_id"), table_name="oidc_refresh_tokens")
    op.drop_table("oidc_refresh_tokens")
    op.drop_index(op.f("ix_oidc_grants_sid"), table_name="oidc_grants")
    op.drop_index("ix_oidc_grants_citizen_client", table_name="oidc_grants")
    op.drop_table("oidc_grants")
