"""The INSERT of a pending entry (`idp.audit.log.pending_entry`) as the driver is given it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from idp import audit
from infra.db import get_db
from infra.group_commit import GroupCommit

MOMENT = datetime(2026, 12, 4, 12, 30, 15, 123456, tzinfo=UTC)


def test_a_log_entrys_null_columns_are_left_out_and_stored_as_null(fresh_app):
    """The driver is handed no None (issue 16: SQLite adapts each one at a cost): a pending
    entry leaves its empty columns out of the INSERT, and they are stored as NULL all the same."""
    engine = get_db(fresh_app).engine
    write = audit.pending_entry(event="release.userinfo", citizen_id="c", client_id="a", claims=["sub"],
                                now=MOMENT)[0]
    assert None not in write.values.values()
    assert {"purpose", "law", "reference"}.isdisjoint(write.values)
    GroupCommit(engine).commit([write])
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT purpose, law, reference, legal_basis, claims "
                                          "FROM audit_entries")).one()
    assert row[:4] == (None, None, None, "consent") and row.claims is not None
