"""What a passkey made records it, so that deleting the passkey (a lost or stolen device) ends
that too, also after the sessions it signed in ended: an OpenID Provider grant records the
passkey its session was checked with (`oidc_grants.passkey`: the SHA-256 of its credential ID,
`idp.webauthn.encoding.passkey_mark`), since a refresh token outlives its session; a wallet
credential records the passkey of the offer it was taken with (`wallet_credentials.passkey`),
and when it was revoked on its own (`revoked_at`: invalid in its status list). Rows written
before have none (NULL): only the sessions still live find their grants."""

import sqlalchemy as sa
from alembic import op

revision = "idp_passkeys_0003"
down_revision = "idp_audit_0004"


def upgrade() -> None:
    op.add_column("oidc_grants", sa.Column("passkey", sa.String(64), nullable=True))
    op.add_column("wallet_credentials", sa.Column("passkey", sa.String(64), nullable=True))
    op.add_column("wallet_credentials", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (idp_audit_0004's reason: no batch copy).
    op.drop_column("wallet_credentials", "revoked_at")
    op.drop_column("wallet_credentials", "passkey")
    op.drop_column("oidc_grants", "passkey")
