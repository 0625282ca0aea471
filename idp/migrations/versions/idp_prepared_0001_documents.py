"""Documents agencies prepare for a citizen to sign."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_prepared_0001"
down_revision = "idp_audit_0001"


def upgrade() -> None:
    op.create_table(
        "prepared_documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(128), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("signed_document_id", sa.String(32), nullable=True),
        foreign_key("prepared_documents", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_documents")),
    )
    op.create_index("ix_prepared_documents_citizen_status", "prepared_documents",
                    ["citizen_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_prepared_documents_citizen_status", table_name="prepared_documents")
    op.drop_table("prepared_documents")
