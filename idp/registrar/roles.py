"""A role a citizen holds (registrar, operator): one row per citizen, granted (again, if it was
revoked) and revoked; revoking keeps the row (who granted it, since when)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session


class RoleRow(Protocol):
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None


R = TypeVar("R", bound=RoleRow)


def grant_role(session: Session, model: type[R], citizen_id: uuid.UUID, *, by: str, now: datetime,
               new: Callable[[], R]) -> R:
    """The citizen's `model` row, granted `now` by `by`: `new()`, added, if they never held the
    role, else their row again (revoked or not). The caller flushes."""
    role = session.get(model, citizen_id)
    if role is None:
        role = new()
        session.add(role)
    role.granted_at, role.granted_by, role.revoked_at = now, by, None
    return role


def revoke_role(session: Session, model: type[R], citizen_id: uuid.UUID, *, now: datetime) -> R | None:
    """The citizen's `model` row, revoked `now`; None if they do not hold the role."""
    role = session.get(model, citizen_id)
    if role is None or role.revoked_at is not None:
        return None
    role.revoked_at = now
    return role
