"""Issued and signed documents."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "signing_0001"
down_revision = None
branch_labels = ("signing",)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("csv", sa.String(24), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("template", sa.String(40), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("signer_serial", sa.String(42), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revocation_reason", sa.String(200), nullable=True),
        sa.Column("superseded_by", sa.String(32), nullable=True),
        sa.CheckConstraint("kind IN ('sealed', 'citizen-signed')", name=op.f("ck_documents_kind")),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'superseded')",
                           name=op.f("ck_documents_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("csv", name=op.f("uq_documents_csv")),
    )
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"])
    op.create_index("ix_documents_subject_issued", "documents", ["subject", "issued_at"])
    op.create_index("ix_documents_client_issued", "documents", ["client_id", "issued_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_client_issued", table_name="documents")
    op.drop_index("ix_documents_subject_issued", table_name="documents")
    op.drop_index(op.f("ix_documents_sha256"), table_name="documents")
    op.drop_table("documents")
