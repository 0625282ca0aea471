"""Pending log entries leave the chain's indexes: partial unique indexes on `seq` and `hash`.

The unique constraints on `audit_entries.seq` and `.hash` become unique indexes `WHERE seq IS
NOT NULL` / `WHERE hash IS NOT NULL`, and the citizen index covers sealed entries only: the
INSERT of each pending entry (all three NULL) no longer adds to them (issue 16). The same
values are refused as before (NULLs never collided). Existing rows are kept (SQLite: the table
is copied in batch mode, ids and all).
"""

import sqlalchemy as sa
from alembic import op

revision = "idp_audit_0003"
down_revision = "idp_account_0001"

TABLE = "audit_entries"
SEALED = sa.text("seq IS NOT NULL")
HASHED = sa.text("hash IS NOT NULL")


def _partial_indexes() -> None:
    op.create_index("ix_audit_entries_seq", TABLE, ["seq"], unique=True,
                    sqlite_where=SEALED, postgresql_where=SEALED)
    op.create_index("ix_audit_entries_hash", TABLE, ["hash"], unique=True,
                    sqlite_where=HASHED, postgresql_where=HASHED)
    op.create_index("ix_audit_entries_citizen_seq", TABLE, ["citizen_ref", "seq"],
                    sqlite_where=SEALED, postgresql_where=SEALED)


def upgrade() -> None:
    op.drop_index("ix_audit_entries_citizen_seq", table_name=TABLE)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite keeps unique constraints in the table's definition: batch mode copies the
        # table without them. Its one other index is made again as it was (not reflected).
        op.drop_index("ix_audit_entries_pending", table_name=TABLE)
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.drop_constraint("uq_audit_entries_seq", type_="unique")
            batch.drop_constraint("uq_audit_entries_hash", type_="unique")
        op.create_index("ix_audit_entries_pending", TABLE, ["id"], sqlite_where=sa.text("seq IS NULL"))
    else:
        op.drop_constraint("uq_audit_entries_seq", TABLE, type_="unique")
        op.drop_constraint("uq_audit_entries_hash", TABLE, type_="unique")
    _partial_indexes()


def downgrade() -> None:
    for name in ("ix_audit_entries_seq", "ix_audit_entries_hash", "ix_audit_entries_citizen_seq"):
        op.drop_index(name, table_name=TABLE)
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_audit_entries_pending", table_name=TABLE)
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.create_unique_constraint("uq_audit_entries_seq", ["seq"])
            batch.create_unique_constraint("uq_audit_entries_hash", ["hash"])
        op.create_index("ix_audit_entries_pending", TABLE, ["id"], sqlite_where=sa.text("seq IS NULL"))
    else:
        op.create_unique_constraint("uq_audit_entries_seq", TABLE, ["seq"])
        op.create_unique_constraint("uq_audit_entries_hash", TABLE, ["hash"])
    op.create_index("ix_audit_entries_citizen_seq", TABLE, ["citizen_ref", "seq"])
