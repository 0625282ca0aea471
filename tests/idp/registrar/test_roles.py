"""A role row (registrar, operator): granted, granted again after a revoke, revoked once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from idp.operator.models import Operator
from idp.registrar.models import Registrar
from idp.registrar.roles import grant_role, revoke_role
from infra.db import get_db
from tests.idp.conftest import enrol

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _at(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def test_a_role_is_granted_revoked_and_granted_again_on_the_same_row(oidc_app, client):
    citizen_id = uuid.UUID(enrol(client).citizen_id)
    with get_db(oidc_app).transaction() as session:
        grant_role(session, Operator, citizen_id, by="operator:first", now=T0,
                   new=lambda: Operator(citizen_id=citizen_id))
    with get_db(oidc_app).transaction() as session:
        revoked = revoke_role(session, Operator, citizen_id, now=T0 + timedelta(days=1))
        assert revoked is not None and _at(revoked.revoked_at) == T0 + timedelta(days=1)
        assert revoke_role(session, Operator, citizen_id, now=T0 + timedelta(days=2)) is None
    with get_db(oidc_app).transaction() as session:
        again = grant_role(session, Operator, citizen_id, by="operator:second", now=T0 + timedelta(days=3),
                           new=lambda: Operator(citizen_id=uuid.uuid4()))  # not called: the row exists
    with get_db(oidc_app).read() as session:
        row = session.get(Operator, citizen_id)
        assert row is not None and again.citizen_id == citizen_id
        assert (_at(row.granted_at), row.granted_by, row.revoked_at) == (T0 + timedelta(days=3),
                                                                         "operator:second", None)


def test_revoking_a_role_never_held_is_none(oidc_app, client):
    citizen_id = uuid.UUID(enrol(client).citizen_id)
    with get_db(oidc_app).transaction() as session:
        assert revoke_role(session, Registrar, citizen_id, now=T0) is None
