"""The platform's tables: leases, the outbox and idempotency records."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import BIG_ID

revision = "infra_0001"
down_revision = None
branch_labels = ("infra",)


def upgrade() -> None:
    op.create_table(
        "infra_leases",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_infra_leases")),
    )
    op.create_table(
        "infra_outbox",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("claimed_by", sa.String(120), nullable=True),
        sa.Column("claimed_until", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infra_outbox")),
        sa.UniqueConstraint("topic", "key", name="uq_infra_outbox_topic_key"),
    )
    op.create_index("ix_infra_outbox_topic_state_due", "infra_outbox", ["topic", "state", "due_at"])
    op.create_table(
        "infra_idempotency",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("holder", sa.String(120), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_infra_idempotency")),
    )
    op.create_index("ix_infra_idempotency_expires_at", "infra_idempotency", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_infra_idempotency_expires_at", table_name="infra_idempotency")
    op.drop_table("infra_idempotency")
    op.drop_index("ix_infra_outbox_topic_state_due", table_name="infra_outbox")
    op.drop_table("infra_outbox")
    op.drop_table("infra_leases")
