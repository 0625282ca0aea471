"""The schema the migrations build (`cedula db upgrade`, as in production) is the schema the
models describe, table by table, on both backends: a column, index, constraint, type, length,
nullability, server default, foreign key (with its ON DELETE), CHECK constraint or primary key
name in one and not the other fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa


def _sqlite_identity(difference: tuple, dialect: str) -> bool:
    """SQLite has no identity columns: a model's `sa.Identity()` (audit_entries.id, an identity
    on PostgreSQL) is the rowid alias there, which reflects with no default. Only that one
    reading is ignored; any other default on SQLite, and every default on PostgreSQL, counts."""
    return dialect == "sqlite" and difference[0] == "modify_default" and isinstance(difference[-1], sa.Identity)


def differences(connection: sa.Connection, metadata: list[sa.MetaData]) -> list:
    """What Alembic's autogenerate would write to turn the database into the models, less the
    reflection artefacts above."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    found = []
    for difference in compare_metadata(context, metadata):
        if isinstance(difference, list):  # one column's modifications, grouped
            difference = [d for d in difference if not _sqlite_identity(d, connection.dialect.name)]
            if not difference:
                continue
        found.append(difference)
    return found


def unlike_constraints(connection: sa.Connection, metadata: list[sa.MetaData]) -> dict[str, tuple]:
    """The tables whose primary key name or CHECK constraints (by name) differ between the
    database and the model: Alembic compares neither, yet a CHECK the model declares must hold
    in production, and a migration that names `pk_<table>` must find it."""
    inspector = sa.inspect(connection)
    unlike = {}
    for tables in metadata:
        for table in tables.tables.values():
            found = (inspector.get_pk_constraint(table.name)["name"],
                     sorted(check["name"] for check in inspector.get_check_constraints(table.name)))
            declared = (table.primary_key.name,
                        sorted(str(c.name) for c in table.constraints if isinstance(c, sa.CheckConstraint)))
            if found != declared:
                unlike[table.name] = (found, declared)
    return unlike


@pytest.fixture(scope="module")
def migrated(backend, tmp_path_factory) -> Iterator[sa.Engine]:
    """An empty database brought to every branch's head by the migrations alone."""
    from alembic import command

    from idp.schema import SCHEMA
    from infra.db import create_engine
    from tests.support.live import database_for

    with database_for(backend.name, tmp_path_factory.mktemp("drift")) as url:
        command.upgrade(SCHEMA.alembic_config(url), "heads")
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def test_the_migrated_schema_is_the_models(migrated):
    from idp.schema import SCHEMA

    metadata = SCHEMA.metadata()
    with migrated.connect() as connection:
        assert differences(connection, metadata) == []
        assert unlike_constraints(connection, metadata) == {}


def test_a_model_change_without_a_migration_is_a_difference(migrated):
    """A column, an index, a nullability or a CHECK added to a model alone is reported (the
    filter above lets nothing else through)."""
    from idp.schema import SCHEMA
    from infra.db import new_metadata

    infra, *others = SCHEMA.metadata()
    changed = new_metadata()
    for table in infra.tables.values():
        table.to_metadata(changed)
    leases = changed.tables["infra_leases"]
    leases.append_column(sa.Column("note", sa.String(40), nullable=True))
    sa.Index("ix_infra_leases_holder", leases.c.holder)
    changed.tables["infra_outbox"].c.claimed_by.nullable = False
    leases.append_constraint(sa.CheckConstraint("token >= 0", name="token"))

    with migrated.connect() as connection:
        found = differences(connection, [changed, *others])
        unlike = unlike_constraints(connection, [changed, *others])
    assert unlike == {"infra_leases": (("pk_infra_leases", []), ("pk_infra_leases", ["ck_infra_leases_token"]))}
    assert sorted(_named(d) for d in found) == [
        ("add_column", "infra_leases", "note"), ("add_index", "infra_leases", "ix_infra_leases_holder"),
        ("modify_nullable", "infra_outbox", "claimed_by")]


def _named(difference: tuple | list) -> tuple[str, str, str]:
    if isinstance(difference, list):  # ("modify_nullable", schema, table, column, ...)
        return difference[0][0], difference[0][2], difference[0][3]
    if difference[0] == "add_column":  # ("add_column", schema, table, column)
        return difference[0], difference[2], difference[3].name
    return difference[0], difference[1].table.name, difference[1].name  # ("add_index", index)
