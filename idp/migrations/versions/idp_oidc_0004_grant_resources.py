"""OpenID Provider: a grant remembers the resources (RFC 8707) its authorization request named,
so that its refreshes are bound by them as its code exchange was.
"""

import sqlalchemy as sa
from alembic import op

revision = "idp_oidc_0004"
down_revision = "idp_passkeys_0001"


def upgrade() -> None:
    with op.batch_alter_table("oidc_grants") as batch:
        batch.add_column(sa.Column("resources", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oidc_grants") as batch:
        batch.drop_column("resources")
