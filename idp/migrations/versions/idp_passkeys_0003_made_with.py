"""What a passkey made records it, so that deleting the passkey (a lost or stolen device) ends
that too, also after the sessions it signed in ended: an OpenID Provider grant records the
passkey its session was checked with (`oidc_grants.passkey`: the SHA-256 of its credential ID,
`idp.webauthn.encoding.passkey_mark`), since a refresh token outlives its session. Rows
written before have none (NULL): only the sessions still live find them."""

import sqlalchemy as sa
from alembic import op

revision = "idp_passkeys_0003"
down_revision = "idp_audit_0004"


def upgrade() -> None:
    op.add_column("oidc_grants", sa.Column("passkey", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (idp_audit_0004's reason: no batch copy).
    op.drop_column("oidc_grants", "passkey")
