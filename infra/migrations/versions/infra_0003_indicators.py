"""Daily indicators: counts by day, agency, kind and dimension (no per-citizen data)."""

import sqlalchemy as sa
from alembic import op

revision = "infra_0003"
down_revision = "infra_0002"


def upgrade() -> None:
    op.create_table(
        "infra_indicators",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "agency", "kind", "dimension", "shard",
                                name=op.f("pk_infra_indicators")),
    )
    op.create_index("ix_infra_indicators_kind_day", "infra_indicators", ["kind", "day"])


def downgrade() -> None:
    op.drop_index("ix_infra_indicators_kind_day", table_name="infra_indicators")
    op.drop_table("infra_indicators")
