"""Data-sharing log entries for tests of what writes them (the group commit): one made for a
citizen reference, and the references of those committed."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from idp import audit
from idp.audit.models import AuditEntry
from infra.db import get_db
from infra.group_commit import Write

DAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def log_entry(citizen: str) -> Write:
    """A pending UserInfo release entry for `citizen`, as the group commit is given it."""
    write, _appended = audit.pending_entry(event="release.userinfo", citizen_id=citizen, client_id="agency",
                                           claims=["sub"], now=DAY)
    return write


def committed_citizens(app) -> list[str]:
    """The citizen references of the log entries in the database, sorted."""
    with get_db(app).read() as session:
        return sorted(session.scalars(sa.select(AuditEntry.citizen_ref)))
