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
from idp.operator.errors import NotOperator, OwnRole
from idp.operator.models import Operator
from idp.registrar.roles import grant_role, revoke_role
from idp.registrar.services import Actor, trail


def console_actor(citizen_id: uuid.UUID) -> Actor:
    """An operator signed in to the console, as the trail names them."""
    return Actor(name=f"operator:{citizen_id}")


def check_own_role(*, actor_citizen: uuid.UUID, citizen_id: uuid.UUID, role: str, action: str) -> None:
    """Separation of duties: no operator grants themselves a role (as a registrar they could
    proof identities with nobody else involved), nor revokes their own operator role (the
    console could be left with none); OwnRole, for another operator to do it."""
    if citizen_id == actor_citizen and (action == "grant" or role == "operator"):
        raise OwnRole(f"an operator may not {action} their own {role} role; another operator must")


def refused(session: Session, *, actor: Actor, citizen_id: uuid.UUID, role: str, action: str,
            reason: str, now: datetime) -> None:
    """A refused role change, in the operator audit trail (`role.refused`)."""
    trail(session, actor=actor, action="role.refused", citizen_id=citizen_id, now=now,
          details={"role": role, "action": action, "reason": reason})


def grant(session: Session, *, citizen: Citizen, by: Actor, now: datetime) -> Operator:
    """Make the citizen an operator (again, if revoked before)."""
    role = grant_role(session, Operator, citizen.id, by=by.name[:120], now=now,
                      new=lambda: Operator(citizen_id=citizen.id))
    session.flush()
    trail(session, actor=by, action="operator.granted", citizen_id=citizen.id, now=now)
    return role


def revoke(session: Session, *, citizen: Citizen, by: Actor, now: datetime) -> None:
    if revoke_role(session, Operator, citizen.id, now=now) is None:
        raise NotOperator("this citizen is not an operator")
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
