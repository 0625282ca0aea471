"""OpenID Provider: refresh tokens bound to a DPoP key (RFC 9449 section 5)."""

import sqlalchemy as sa
from alembic import op

revision = "idp_oidc_0002"
down_revision = "idp_audit_0002"


def upgrade() -> None:
    with op.batch_alter_table("oidc_refresh_tokens") as batch:
        batch.add_column(sa.Column("dpop_jkt", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oidc_refresh_tokens") as batch:
        batch.drop_column("dpop_jkt")
