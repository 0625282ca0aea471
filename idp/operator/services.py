"""The operator role (grant, revoke, list) and the operator audit trail of console actions.

Every action of the console is written to the operator audit trail (`registrar_audit`, via
`idp.registrar.services.trail`) in the transaction that does it, with the acting operator.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.models import Citizen
from idp.operator.errors import NotOperator
from idp.operator.models import Operator
from idp.registrar.services import Actor, trail


def console_actor(citizen_id: uuid.UUID) -> Actor:
    """An operator signed in to the console, as the trail names them."""
    return Actor(name=f"operator:{citizen_id}")


def grant(session: Session, *, citizen: Citizen, by: Actor, now: datetime) -> Operator:
    """Make the citizen an operator (again, if revoked before)."""
    role = session.get(Operator, citizen.id)
    if role is None:
        role = Operator(citizen_id=citizen.id, granted_at=now, granted_by=by.name[:120], revoked_at=None)
        session.add(role)
    else:
        role.granted_at, role.granted_by, role.revoked_at = now, by.name[:120], None
    session.flush()
    trail(session, actor=by, action="operator.granted", citizen_id=citizen.id, now=now)
    return role


def revoke(session: Session, *, citizen: Citizen, by: Actor, now: datetime) -> None:
    role = session.get(Operator, citizen.id)
    if role is None or role.revoked_at is not None:
        raise NotOperator("this citizen is not an operator")
    role.revoked_at = now
    trail(session, actor=by, action="operator.revoked", citizen_id=citizen.id, now=now)


def operators(session: Session, *, include_revoked: bool = False) -> list[tuple[Operator, Citizen]]:
    query = sa.select(Operator, Citizen).join(Citizen, Citizen.id == Operator.citizen_id)
    if not include_revoked:
        query = query.where(Operator.revoked_at.is_(None))
    return [(o, c) for o, c in session.execute(query.order_by(Citizen.family_name, Citizen.given_name))]


def acting_operator(session: Session, citizen_id: str | uuid.UUID) -> Actor:
    """The signed-in citizen as an operator, or NotOperator."""
    key = citizen_id if isinstance(citizen_id, uuid.UUID) else uuid.UUID(citizen_id)
    role = session.get(Operator, key)
    if role is None or role.revoked_at is not None:
        raise NotOperator("the signed-in citizen is not an operator")
    return console_actor(key)


def record(session: Session, *, actor: Actor, action: str, now: datetime, citizen_id: uuid.UUID | None = None,
           details: dict[str, Any] | None = None) -> None:
    """One console action in the operator audit trail (no secret ever goes in `details`)."""
    trail(session, actor=actor, action=action[:40], citizen_id=citizen_id, now=now, details=details)
