"""The notification outbox (infra.notify): messages the operator reads, prints and posts."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import BIG_ID

revision = "infra_0002"
down_revision = "infra_0001"


def upgrade() -> None:
    op.create_table(
        "infra_notifications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("done_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infra_notifications")),
    )
    op.create_index("ix_infra_notifications_address", "infra_notifications", ["channel", "address"])


def downgrade() -> None:
    op.drop_index("ix_infra_notifications_address", table_name="infra_notifications")
    op.drop_table("infra_notifications")
