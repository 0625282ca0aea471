"""The citizen's sign-in history (idp.account.models.SignIn)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_account_0001"
down_revision = "idp_oidc_0004"


def upgrade() -> None:
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("device", sa.String(80), nullable=True),
        sa.Column("passkey_name", sa.String(64), nullable=True),
        foreign_key("sign_ins", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
    )
    op.create_index("ix_sign_ins_citizen_at", "sign_ins", ["citizen_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_ins_citizen_at", table_name="sign_ins")
    op.drop_table("sign_ins")
