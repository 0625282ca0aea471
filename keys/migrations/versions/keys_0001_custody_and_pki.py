"""Key custody, OIDC signing keys, certificates, CRLs and state counters."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "keys_0001"
down_revision = None
branch_labels = ("keys",)


def upgrade() -> None:
    op.create_table(
        "keys_key",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keys_key")),
    )
    op.create_table(
        "keys_signing_key",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("alg", sa.String(8), nullable=False),
        sa.Column("published_at", UTC, nullable=False),
        sa.Column("active_at", UTC, nullable=False),
        sa.Column("retired_at", UTC, nullable=True),
        sa.Column("remove_at", UTC, nullable=True),
        foreign_key("keys_signing_key", "key_id", "keys_key.id"),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_keys_signing_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_keys_signing_key_key_id")),
    )
    op.create_table(
        "keys_certificate",
        sa.Column("serial", sa.String(42), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("issuer", sa.String(16), nullable=False),
        sa.Column("name", sa.String(16), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", UTC, nullable=False),
        sa.Column("not_after", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revocation_reason", sa.String(32), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        foreign_key("keys_certificate", "key_id", "keys_key.id"),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_keys_certificate")),
        sa.UniqueConstraint("name", name=op.f("uq_keys_certificate_name")),
    )
    op.create_index("ix_keys_certificate_client_role", "keys_certificate",
                    ["client_id", "role"])
    op.create_table(
        "keys_crl",
        sa.Column("ca", sa.String(16), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("this_update", UTC, nullable=False),
        sa.Column("next_update", UTC, nullable=False),
        sa.PrimaryKeyConstraint("ca", name=op.f("pk_keys_crl")),
    )
    op.create_table(
        "keys_state",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_keys_state")),
    )


def downgrade() -> None:
    op.drop_table("keys_state")
    op.drop_table("keys_crl")
    op.drop_index("ix_keys_certificate_client_role", table_name="keys_certificate")
    op.drop_table("keys_certificate")
    op.drop_table("keys_signing_key")
    op.drop_table("keys_key")
