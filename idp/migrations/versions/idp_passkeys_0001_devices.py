"""Passkeys: where each was created and last used ("browser|system", never the User-Agent).

Revision ID: idp_passkeys_0001
Revises: idp_wallet_0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "idp_passkeys_0001"
down_revision = "idp_wallet_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.add_column(sa.Column("created_device", sa.String(80), nullable=True))
        batch.add_column(sa.Column("last_used_device", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.drop_column("last_used_device")
        batch.drop_column("created_device")
