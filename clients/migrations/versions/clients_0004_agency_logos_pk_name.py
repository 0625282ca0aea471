"""agency_logos' primary key gets the name every other table's has (pk_<table>, the naming
convention of infra.db): clients_0003 created it unnamed, so PostgreSQL called it
agency_logos_pkey and SQLite left it nameless, and a later migration naming pk_agency_logos
would not find it.
"""

from alembic import op

revision = "clients_0004"
down_revision = "clients_0003"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot rename a constraint: batch mode copies the table with the named key.
        with op.batch_alter_table("agency_logos") as batch_op:
            batch_op.create_primary_key("pk_agency_logos", ["id"])
    else:
        op.execute("ALTER TABLE agency_logos RENAME CONSTRAINT agency_logos_pkey TO pk_agency_logos")


def downgrade() -> None:
    # On SQLite the named key stays: nothing before this revision refers to it by name.
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE agency_logos RENAME CONSTRAINT pk_agency_logos TO agency_logos_pkey")
