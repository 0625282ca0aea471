"""Proofing that proves possession: the register's contacts of record, one-time codes sent
to them, and the evidence gathered per citizen.
"""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_assurance_0002"
down_revision = "idp_audit_0002"


def _claimant_columns() -> list[sa.Column]:
    """Who asked, for what, about which national id: possession codes and attempts alike."""
    return [
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("claimant", sa.String(64), nullable=False),
        sa.Column("national_id_scheme", sa.String(40), nullable=False),
        sa.Column("national_id", sa.String(64), nullable=False),
    ]


def _create_claimant_indexes(table: str, moment: str) -> None:
    """A claimant's rows and a national id's rows, by time: both are counted over a window."""
    op.create_index(f"ix_{table}_claimant", table, ["purpose", "claimant", moment])
    op.create_index(f"ix_{table}_national_id", table, ["national_id_scheme", "national_id", moment])


def _drop_claimant_indexes(table: str) -> None:
    op.drop_index(f"ix_{table}_national_id", table_name=table)
    op.drop_index(f"ix_{table}_claimant", table_name=table)


def upgrade() -> None:
    with op.batch_alter_table("registry_records") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("postal_address", sa.String(500), nullable=True))
    op.create_table(
        "proofing_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        foreign_key("proofing_evidence", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proofing_evidence")),
    )
    op.create_index(op.f("ix_proofing_evidence_citizen_id"), "proofing_evidence", ["citizen_id"])
    op.create_table(
        "possession_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_claimant_columns(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address_hint", sa.String(120), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possession_codes")),
    )
    _create_claimant_indexes("possession_codes", "created_at")
    op.create_table(
        "possession_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_claimant_columns(),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possession_attempts")),
    )
    _create_claimant_indexes("possession_attempts", "at")


def downgrade() -> None:
    _drop_claimant_indexes("possession_attempts")
    op.drop_table("possession_attempts")
    _drop_claimant_indexes("possession_codes")
    op.drop_table("possession_codes")
    op.drop_index(op.f("ix_proofing_evidence_citizen_id"), table_name="proofing_evidence")
    op.drop_table("proofing_evidence")
    with op.batch_alter_table("registry_records") as batch:
        batch.drop_column("postal_address")
        batch.drop_column("phone")
        batch.drop_column("email")
