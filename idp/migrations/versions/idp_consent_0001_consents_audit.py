"""Consents and the hash-chained data-sharing log (entries, chain head, signed checkpoints)."""

import sqlalchemy as sa
from alembic import op

from idp.migrations.audit_entries import body_columns
from infra.migration_columns import BIG_ID, UTC, foreign_key

revision = "idp_consent_0001"
down_revision = "idp_oidc_0001"


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("declined", sa.JSON(), nullable=False),
        sa.Column("agency_name", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(500), nullable=True),
        sa.Column("legal_basis", sa.String(16), nullable=False),
        sa.Column("law", sa.String(500), nullable=True),
        sa.Column("given_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("superseded_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.Column("withdrawal_receipt", sa.Text(), nullable=True),
        foreign_key("consents", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_citizen_client", "consents", ["citizen_id", "client_id"])
    op.create_table(
        "audit_entries",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        *body_columns(),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entries_hash")),
    )
    op.create_index("ix_audit_entries_citizen_seq", "audit_entries", ["citizen_ref", "seq"])
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("checkpoint_seq", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64, "checkpoint_seq": 0, "checkpoint_at": None}])
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("kid", sa.String(128), nullable=False),
        sa.Column("jwk", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_head")
    op.drop_index("ix_audit_entries_citizen_seq", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index("ix_consents_citizen_client", table_name="consents")
    op.drop_table("consents")
