"""The provider's grants as `idp.consent` needs them to withdraw an agency's access
(`idp.consent.issued_grants.IssuedGrants`): installed when the provider is built, so the
consent package never imports `idp.oidc`.

A withdrawal reads the active grants first (`active`): before it does, it leaves its mark in
the store (`codes.mark_withdrawal`), so that a code exchange whose grant is written after this
read (and so is not revoked by it) finds the mark and revokes that grant itself. It leaves it
again once its transaction committed and ended: until then /authorize still reads the decision (or the
level) being withdrawn, and a code it issues from that read is dated before this second mark
(`idp.oidc.views`: a code is dated when its request began, before it read anything)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.assurance.amr import wallet
from idp.consent.issued_grants import ActiveGrant
from idp.oidc.codes import mark_withdrawal
from idp.oidc.grants import revoke_grant
from idp.oidc.models import Grant
from infra.store import EphemeralStore


class GrantWithdrawal:
    """`IssuedGrants` over the `oidc_grants` table; `store` and `mark_seconds` (at least a
    code's lifetime): where and how long a withdrawal's mark is kept; `acr_uris` (`oidc.acr_*`):
    the level each grant's acr names."""

    def __init__(self, store: EphemeralStore, *, mark_seconds: int, acr_uris: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.mark_seconds = mark_seconds
        self.levels = {uri: level for level, uri in (acr_uris or {}).items()}

    def active(self, session: Session, *, citizen_id: uuid.UUID,
               client_id: str | None = None, reason: str = "citizen", level: str | None = None) -> list[ActiveGrant]:
        def mark(*_: object) -> None:
            mark_withdrawal(self.store, citizen_id=str(citizen_id), client_id=client_id, at=time.time(),
                            ttl=self.mark_seconds, reason=reason, level=level)

        def committed(_: Session) -> None:
            # Once the transaction ended: after its connection went back to the pool, where the
            # cache generation is bumped (`infra.invalidation`), so no read of a cached row
            # from before the commit is dated after this mark.
            sa.event.listen(session, "after_transaction_end", mark, once=True)

        mark()
        sa.event.listen(session, "after_commit", committed, once=True)
        query = sa.select(Grant.id, Grant.client_id, Grant.sid, Grant.passkey, Grant.acr, Grant.amr).where(
            Grant.citizen_id == citizen_id, Grant.revoked_at.is_(None))
        if client_id is not None:
            query = query.where(Grant.client_id == client_id)
        return [ActiveGrant(id=row.id, client_id=row.client_id, sid=row.sid, passkey=row.passkey, acr=row.acr,
                            level=self.levels.get(row.acr or ""),
                            wallet=isinstance(row.amr, list) and wallet(str(m) for m in row.amr))
                for row in session.execute(query)]

    def revoke(self, session: Session, grant_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
        return revoke_grant(session, grant_id, reason=reason, now=now)


__all__ = ["GrantWithdrawal"]
