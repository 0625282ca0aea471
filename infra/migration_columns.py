"""What the Alembic migrations of every package declare alike: the column types they share and
foreign keys named by `infra.db.NAMING_CONVENTION`.

Stable forever: a migration that has run once must build the same schema every time it runs
again (a new database, a test upgrading from an old revision). Never change what a name here
gives; a migration that needs something else declares it itself, or a new name is added.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

UTC = sa.DateTime(timezone=True)
"""A moment with its time zone (TIMESTAMP WITH TIME ZONE on PostgreSQL)."""

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit key or sequence number; INTEGER on SQLite, where only that type aliases the rowid."""


def foreign_key(table: str, column: str, referred: str, *, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """`table.column` refers to `referred` ("citizens.id"), in a constraint named as the models
    name it: fk_<table>_<column>_<referred table> (as `op.f` gives it: already converted)."""
    referred_table = referred.partition(".")[0]
    return sa.ForeignKeyConstraint([column], [referred], ondelete=ondelete,
                                   name=conv(f"fk_{table}_{column}_{referred_table}"))
