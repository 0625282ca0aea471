"""Revoking a grant: the citizen's authorization of one agency, and every token issued from it.

Its own module because both sides of the provider revoke grants: the token endpoint (a code or
refresh token presented twice, RFC 9700 section 4.14.2), the revocation endpoint (RFC 7009) and
the citizen withdrawing an agency's access (`idp.consent.services.revoke`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.oidc.models import Grant


def revoke_grant(session: Session, grant_id: str | uuid.UUID, *, reason: str, now: datetime) -> bool:
    """Revoke a grant and every token issued from it (refresh tokens die with it; access
    tokens are refused wherever the grant is checked). True if it was active."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(Grant).where(Grant.id == uuid.UUID(str(grant_id)), Grant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)))
    return bool(result.rowcount)
