"""The provider's grants as `idp.consent` needs them to withdraw an agency's access
(`idp.consent.issued_grants.IssuedGrants`): installed when the provider is built, so the
consent package never imports `idp.oidc`."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.consent.issued_grants import ActiveGrant
from idp.oidc.grants import revoke_grant
from idp.oidc.models import Grant


class GrantWithdrawal:
    """`IssuedGrants` over the `oidc_grants` table."""

    def active(self, session: Session, *, citizen_id: uuid.UUID,
               client_id: str | None = None) -> list[ActiveGrant]:
        query = sa.select(Grant.id, Grant.client_id, Grant.sid).where(
            Grant.citizen_id == citizen_id, Grant.revoked_at.is_(None))
        if client_id is not None:
            query = query.where(Grant.client_id == client_id)
        return [ActiveGrant(id=row.id, client_id=row.client_id, sid=row.sid)
                for row in session.execute(query)]

    def revoke(self, session: Session, grant_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
        return revoke_grant(session, grant_id, reason=reason, now=now)


__all__ = ["GrantWithdrawal"]
