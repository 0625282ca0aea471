"""idp_oidc_0005: grants lose their index on `sid`; the query that names a sid still finds its
rows through an index (`ix_oidc_grants_citizen_client`) (issue 16). That the model is the migrated
table: `tests/infra/test_schema_drift.py`, for every table."""

from __future__ import annotations

import uuid

import sqlalchemy as sa


def _grant_indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return {i["name"] for i in sa.inspect(connection).get_indexes("oidc_grants")}


def _plan_of_agencies_by_sid(engine: sa.Engine) -> str:
    """The plan of `agencies_by_sid`'s grant query, as the database makes it."""
    from sqlalchemy.orm import Session

    from idp.logout.backchannel import agencies_by_sid

    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "oidc_grants" in statement:
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            agencies_by_sid(session, citizen_id=str(uuid.uuid4()), sids=["s1", "s2"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    (statement, parameters), = seen
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        else:
            cursor.execute("SET enable_seqscan = off")  # an empty table: the planner would scan it
            cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_sid_index_goes_and_the_sid_query_still_uses_an_index(backend, tmp_path):
    from alembic import command

    from idp.schema import SCHEMA
    from infra.db import create_engine
    from tests.support.live import database_for

    with database_for(backend.name, tmp_path) as url:
        config = SCHEMA.alembic_config(url)
        command.upgrade(config, "idp@idp_audit_0003")
        engine = create_engine(url)
        try:
            assert "ix_oidc_grants_sid" in _grant_indexes(engine)
            command.upgrade(config, "idp_oidc_0005")
            assert "ix_oidc_grants_sid" not in _grant_indexes(engine)
            assert "ix_oidc_grants_citizen_client" in _plan_of_agencies_by_sid(engine)
            command.downgrade(config, "idp_audit_0003")
            assert "ix_oidc_grants_sid" in _grant_indexes(engine)
            command.upgrade(config, "heads")
            assert "ix_oidc_grants_sid" not in _grant_indexes(engine)
        finally:
            engine.dispose()
