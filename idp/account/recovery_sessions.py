"""What opens a recovery session, and whether it still may add a passkey.

A recovery session (a recovery code at /recover, a registrar's binding code at /bind) records
the account's recovery generation, read before its code was spent. The generation moves when
something supersedes every way in the account had: a recovery at the desk or a reclaim
(the registrar's trail) and new recovery codes (their newest row). A session opened under an
older generation is refused (`idp.sessions.check_recovery_with`): ending the account's
sessions is not enough, since a code spent just before a desk recovery's transaction starts
its session just after the desk ended them.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from idp.citizens.models import Citizen, RecoveryCode
from idp.registrar.models import RegistrarAuditEntry
from idp.sessions import SsoSession
from infra.db import get_db

# The registrar's trail actions that hand the account to someone else.
SUPERSEDING = ("recovery.code_issued", "identity.frozen")


def generation(session: Session, citizen_id: uuid.UUID) -> str:
    """The account's recovery generation: its latest desk recovery or freeze, its newest codes."""
    desk = session.scalar(sa.select(sa.func.max(RegistrarAuditEntry.id)).where(
        RegistrarAuditEntry.citizen_id == citizen_id, RegistrarAuditEntry.action.in_(SUPERSEDING)))
    newest, made = session.execute(
        sa.select(sa.func.max(RecoveryCode.id), sa.func.max(RecoveryCode.created_at))
        .where(RecoveryCode.citizen_id == citizen_id)).one()
    return f"{desk or 0}:{newest or 0}:{made.isoformat() if made is not None else '-'}"


def generation_of(session: Session, *, scheme: str, national_id: str) -> str | None:
    """`generation` of the account with this national ID (None: no such account)."""
    citizen_id = session.scalar(sa.select(Citizen.id).where(Citizen.national_id_scheme == scheme,
                                                             Citizen.national_id == national_id))
    return None if citizen_id is None else generation(session, citizen_id)


def holds(session: SsoSession) -> bool:
    """Whether the recovery session's generation is still the account's."""
    try:
        citizen_id = uuid.UUID(session.citizen_id)
    except ValueError:
        return False
    with get_db(current_app).read() as db:
        return session.opened_by == generation(db, citizen_id)


__all__ = ["SUPERSEDING", "generation", "generation_of", "holds"]
