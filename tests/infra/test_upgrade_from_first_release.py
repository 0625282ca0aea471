"""`cedula db upgrade` from the first release's schema (the first revision of every package's
branch), with a row in every table, on both backends: every row is kept and the result is the
schema the models describe. (`test_schema_drift` upgrades an empty database; the migrations'
own tests start from later revisions.)"""

from __future__ import annotations

import datetime
import re
import uuid

import sqlalchemy as sa

# "kind IN ('sealed', 'citizen-signed')" (SQLite) or "((kind)::text = ANY ((ARRAY['sealed'::...": the first value
_ALLOWED = re.compile(r"\(?(\w+)\)?(?:::\w+(?: \w+)?)?\s+(?:IN|=\s*ANY)\s*\(\s*(?:ARRAY\[)?\(?'([^']*)'")


def _value(column: sa.Column) -> object:
    kind = column.type
    if isinstance(kind, sa.Uuid) or type(kind).__name__ == "UUID":
        return uuid.UUID(int=1)
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    if isinstance(kind, sa.Date):
        return datetime.date(2026, 1, 1)
    if isinstance(kind, sa.LargeBinary):
        return b"x"
    if isinstance(kind, sa.JSON):
        return {}
    return "a"  # every text key is "a", every number 1: each foreign key finds its row


def _fill(engine: sa.Engine) -> dict[str, int]:
    """One row in every table (parents first), each CHECK's first allowed value; the counts."""
    tables = sa.MetaData()
    tables.reflect(engine)
    counts = {}
    with engine.begin() as connection:
        for table in tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            row = {column.name: _value(column) for column in table.columns}
            for check in (c for c in table.constraints if isinstance(c, sa.CheckConstraint)):
                row.update(dict(_ALLOWED.findall(str(check.sqltext))))
            connection.execute(table.insert().values(**row))
            counts[table.name] = 1
    return counts


def test_an_upgrade_from_the_first_release_keeps_every_row_and_ends_at_the_models(backend, tmp_path):
    from alembic import command
    from alembic.script import ScriptDirectory

    from idp.schema import SCHEMA
    from infra.db import create_engine
    from tests.infra.test_schema_drift import differences, unlike_constraints
    from tests.support.live import database_for

    with database_for(backend.name, tmp_path) as url:
        config = SCHEMA.alembic_config(url)
        first = ScriptDirectory.from_config(config).get_bases()
        assert len(first) == len(SCHEMA.packages)
        command.upgrade(config, first)
        engine = create_engine(url)
        try:
            counts = _fill(engine)
            assert {"citizens", "clients", "keys_key", "documents", "infra_outbox"} <= set(counts)
            SCHEMA.upgrade(url)  # what `cedula db upgrade` runs
            assert SCHEMA.current(url) == SCHEMA.heads(url)
            with engine.connect() as connection:
                for table, count in counts.items():
                    assert connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == count, table
                metadata = SCHEMA.metadata()
                assert differences(connection, metadata) == []
                assert unlike_constraints(connection, metadata) == {}
        finally:
            engine.dispose()

