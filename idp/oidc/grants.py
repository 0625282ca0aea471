"""Revoking a grant: the citizen's authorization of one agency, and every token issued from it.

Its own module because both sides of the provider revoke grants: the token endpoint (a code or
refresh token presented twice, RFC 9700 section 4.14.2), the revocation endpoint (RFC 7009) and
the citizen withdrawing an agency's access (`idp.consent.services.revoke`).
"""

from __future__ import annotations

import operator
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from idp.oidc.models import Grant
from infra.components import Slot


class RevocationListener(Protocol):
    """Told of each grant revoked, in the revocation's transaction (`idp.logout` logs the
    agency of a replayed code or refresh token out of its session)."""

    def __call__(self, session: Session, grant_id: str | uuid.UUID, *, reason: str) -> object: ...


ON_REVOKED: Slot[RevocationListener] = Slot("grant revocation listener")


def revoke_grant(session: Session, grant_id: str | uuid.UUID, *, reason: str, now: datetime) -> bool:
    """Revoke a grant and every token issued from it (refresh tokens die with it; access
    tokens are refused wherever the grant is checked). True if it was active."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(Grant).where(Grant.id == uuid.UUID(str(grant_id)), Grant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)))
    if not result.rowcount:
        return False
    if has_app_context() and ON_REVOKED.installed(current_app):  # single logout (idp.logout)
        ON_REVOKED.of()(session, grant_id, reason=reason)
    return True


def revoke_client_grants(session: Session, client_id: str, *, now: datetime) -> int:
    """Every active grant of a client whose registration was deleted (RFC 7592 section 2.3:
    `idp.oidc.client_deletion.ClientDeletion`), revoked with every token issued from them, in the
    deletion's transaction; no agency is told (the client is gone). How many were active."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(Grant).where(Grant.client_id == client_id, Grant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=CLIENT_DELETED)
        .execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


CLIENT_DELETED = "client_deleted"  # the revocation's reason


@dataclass(frozen=True, init=False)
class GrantRecord:
    """A grant's values as the token endpoint writes and reads them: a plain record, not a
    mapped object (no unit of work to track it; the row is written by `INSERT_GRANT`).

    Its `__init__` is the one the dataclass would make, but it puts the fields into the
    instance's dict at once instead of one frozen `object.__setattr__` per field (issue 16:
    ~26k instructions per /token that way)."""

    id: uuid.UUID
    citizen_id: uuid.UUID
    client_id: str
    scopes: list[str]
    claims: dict[str, Any]
    sid: str
    auth_time: datetime
    acr: str
    amr: list[str]
    created_at: datetime
    expires_at: datetime
    resources: list[str] | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    passkey: str | None = None

    def __init__(self, id: uuid.UUID, citizen_id: uuid.UUID, client_id: str, scopes: list[str],
                 claims: dict[str, Any], sid: str, auth_time: datetime, acr: str, amr: list[str],
                 created_at: datetime, expires_at: datetime, resources: list[str] | None = None,
                 revoked_at: datetime | None = None, revoked_reason: str | None = None,
                 passkey: str | None = None) -> None:
        self.__dict__.update(id=id, citizen_id=citizen_id, client_id=client_id, scopes=scopes, claims=claims,
                             sid=sid, auth_time=auth_time, acr=acr, amr=amr, created_at=created_at,
                             expires_at=expires_at, resources=resources, revoked_at=revoked_at,
                             revoked_reason=revoked_reason, passkey=passkey)

    def row(self) -> dict[str, Any]:
        """The values of its `oidc_grants` row (its fields read by one C getter)."""
        return dict(zip(_GRANT_COLUMNS, _grant_values(self), strict=True))

    @classmethod
    def of(cls, grant: Any) -> GrantRecord:
        """The record of a grant row (a mapped `Grant` or a Core row with its columns)."""
        return cls(**{name: getattr(grant, name) for name in _GRANT_COLUMNS})


_GRANT_COLUMNS = tuple(column.key for column in Grant.__table__.columns)
_grant_values = operator.attrgetter(*_GRANT_COLUMNS)
