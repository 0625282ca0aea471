"""Reports of possible forgeries (a well-formed verification code no document has)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "signing_0002"
down_revision = "signing_0001"


def upgrade() -> None:
    op.create_table(
        "forgery_reports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("code", sa.String(24), nullable=False),
        sa.Column("where_found", sa.String(1000), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forgery_reports")),
    )
    op.create_index(op.f("ix_forgery_reports_code"), "forgery_reports", ["code"])
    op.create_index(op.f("ix_forgery_reports_created_at"), "forgery_reports", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_forgery_reports_created_at"), table_name="forgery_reports")
    op.drop_index(op.f("ix_forgery_reports_code"), table_name="forgery_reports")
    op.drop_table("forgery_reports")
