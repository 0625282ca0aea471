"""Agency logos kept by the provider (fetched from logo_uri or uploaded by an operator)."""

import sqlalchemy as sa
from alembic import op

from infra.migration_columns import UTC

revision = "clients_0003"
down_revision = "clients_0002"


def upgrade() -> None:
    op.create_table(
        "agency_logos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_uri", sa.String(2000), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("content_type", sa.String(32), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.UniqueConstraint("client_id", "language", name="uq_agency_logos_client_language"),
    )
    op.create_index("ix_agency_logos_client_id", "agency_logos", ["client_id"])
    op.create_index("ix_agency_logos_sha256", "agency_logos", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_agency_logos_sha256", table_name="agency_logos")
    op.drop_index("ix_agency_logos_client_id", table_name="agency_logos")
    op.drop_table("agency_logos")
