"""The subject index of the documents API."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC, foreign_key

revision = "idp_documents_0001"
down_revision = "idp_assurance_0001"


def upgrade() -> None:
    op.create_table(
        "document_subjects",
        sa.Column("sector", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        foreign_key("document_subjects", "citizen_id", "citizens.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sector", "subject", name=op.f("pk_document_subjects")),
    )
    op.create_index(op.f("ix_document_subjects_citizen_id"), "document_subjects", ["citizen_id"])
    op.create_table(
        "document_subject_sectors",
        sa.Column("sector", sa.String(255), nullable=False),
        sa.Column("indexed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("sector", name=op.f("pk_document_subject_sectors")),
    )


def downgrade() -> None:
    op.drop_table("document_subject_sectors")
    op.drop_index(op.f("ix_document_subjects_citizen_id"), table_name="document_subjects")
    op.drop_table("document_subjects")
