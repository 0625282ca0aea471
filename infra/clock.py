"""The database's clock, for deadlines several machines must agree on (leases, claims).

`db_now()` is an SQL expression for "now" in seconds since the Unix epoch (a float), taken
from the database server, so clocks that differ between application machines do not matter.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class db_now(FunctionElement[float]):
    """Now, by the database's clock, in Unix seconds (microsecond precision)."""

    type = sa.Float()
    inherit_cache = True
    name = "db_now"


@compiles(db_now)
def _default(_element: db_now, _compiler: Any, **_kw: Any) -> str:
    return "(julianday('now') - 2440587.5) * 86400.0"


@compiles(db_now, "postgresql")
def _postgresql(_element: db_now, _compiler: Any, **_kw: Any) -> str:
    # clock_timestamp(), not now(): the time of this statement, not of the transaction's start.
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
