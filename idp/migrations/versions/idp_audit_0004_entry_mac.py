"""Log entries carry a MAC of their body (HMAC-SHA256 under a key derived from the server
secret), written with the pending entry: a body changed in the database between its write and
its sealing is no longer chained as if it were genuine. Entries written before have none (NULL):
seal them before upgrading (docs/operations.md, Upgrades)."""

import sqlalchemy as sa
from alembic import op

revision = "idp_audit_0004"
down_revision = "idp_passkeys_0002"


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (batch mode would copy the table and lose the
    # partial indexes' WHERE clauses, which it does not reflect).
    op.drop_column("audit_entries", "mac")
