"""Passkeys: where each was created and last used ("browser|system", never the User-Agent)."""

import sqlalchemy as sa
from alembic import op

revision = "idp_passkeys_0001"
down_revision = "idp_wallet_0001"


def upgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.add_column(sa.Column("created_device", sa.String(80), nullable=True))
        batch.add_column(sa.Column("last_used_device", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.drop_column("last_used_device")
        batch.drop_column("created_device")
