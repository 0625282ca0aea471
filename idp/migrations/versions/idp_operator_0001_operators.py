"""The operator role (the operator console at /operator)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_operator_0001"
down_revision = ("idp_oidc_0002", "idp_assurance_0002")  # joins the two heads


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("granted_at", UTC, nullable=False),
        sa.Column("granted_by", sa.String(120), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        foreign_key("operators", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("citizen_id", name=op.f("pk_operators")),
    )


def downgrade() -> None:
    op.drop_table("operators")
