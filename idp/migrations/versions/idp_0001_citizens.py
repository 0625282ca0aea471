"""Citizens, passkeys and recovery codes."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_0001"
down_revision = None
branch_labels = ("idp",)


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_handle", sa.LargeBinary(64), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("birthdate", sa.Date(), nullable=False),
        sa.Column("national_id_scheme", sa.String(40), nullable=False),
        sa.Column("national_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("user_handle", name=op.f("uq_citizens_user_handle")),
        sa.UniqueConstraint("national_id_scheme", "national_id", name="uq_citizens_national_id"),
    )
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(1023), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("aaguid", sa.String(36), nullable=False),
        sa.Column("attestation_format", sa.String(32), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=False),
        sa.Column("backup_eligible", sa.Boolean(), nullable=False),
        sa.Column("backed_up", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        foreign_key("passkeys", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkeys_credential_id")),
    )
    op.create_index(op.f("ix_passkeys_citizen_id"), "passkeys", ["citizen_id"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        foreign_key("recovery_codes", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index(op.f("ix_recovery_codes_citizen_id"), "recovery_codes", ["citizen_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_codes_citizen_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index(op.f("ix_passkeys_citizen_id"), table_name="passkeys")
    op.drop_table("passkeys")
    op.drop_table("citizens")
