"""Client settings an agency cannot change itself: the frozen pairwise sector, the
private_key_jwt audience rule, an operator-approved back-channel logout URI.
"""

import sqlalchemy as sa
from alembic import op

revision = "clients_0002"
down_revision = "clients_0001"


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("sector", sa.String(255), nullable=True))
        batch.add_column(sa.Column("assertion_audience", sa.String(8), nullable=False,
                                   server_default="strict"))
        batch.add_column(sa.Column("backchannel_approved_uri", sa.String(2000), nullable=True))
    # Clients registered before strict audiences keep what they were promised: the legacy rule.
    op.execute(sa.text("UPDATE clients SET assertion_audience = 'legacy'"))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("backchannel_approved_uri")
        batch.drop_column("assertion_audience")
        batch.drop_column("sector")
