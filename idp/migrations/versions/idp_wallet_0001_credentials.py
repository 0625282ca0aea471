"""Wallet credentials: the data behind issued documents, issued SD-JWT VCs, status lists."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_wallet_0001"
down_revision = "idp_oidc_0003"


def upgrade() -> None:
    op.create_table(
        "wallet_document_data",
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        foreign_key("wallet_document_data", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_wallet_document_data")),
    )
    op.create_index(op.f("ix_wallet_document_data_citizen_id"), "wallet_document_data",
                    ["citizen_id"])
    op.create_table(
        "wallet_status_lists",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_status_lists")),
    )
    op.create_index(op.f("ix_wallet_status_lists_client_id"), "wallet_status_lists",
                    ["client_id"])
    op.create_table(
        "wallet_credentials",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("configuration_id", sa.String(64), nullable=False),
        sa.Column("status_list_id", sa.String(32), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("holder_jkt", sa.String(64), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("notification_id", sa.String(43), nullable=False),
        sa.Column("wallet_event", sa.String(24), nullable=True),
        sa.Column("wallet_event_at", UTC, nullable=True),
        foreign_key("wallet_credentials", "status_list_id", "wallet_status_lists.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_credentials")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_wallet_credentials_notification_id")),
        sa.UniqueConstraint("status_list_id", "status_index",
                            name=op.f("uq_wallet_credentials_status_list_id")),
    )
    op.create_index(op.f("ix_wallet_credentials_document_id"), "wallet_credentials",
                    ["document_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_wallet_credentials_document_id"), table_name="wallet_credentials")
    op.drop_table("wallet_credentials")
    op.drop_index(op.f("ix_wallet_status_lists_client_id"), table_name="wallet_status_lists")
    op.drop_table("wallet_status_lists")
    op.drop_index(op.f("ix_wallet_document_data_citizen_id"), table_name="wallet_document_data")
    op.drop_table("wallet_document_data")
