"""Passkeys: when a signature counter went back (a cloned authenticator), it is refused."""

import sqlalchemy as sa
from alembic import op

revision = "idp_passkeys_0002"
down_revision = "idp_oidc_0005"


def upgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.add_column(sa.Column("suspect_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passkeys") as batch:
        batch.drop_column("suspect_since")
