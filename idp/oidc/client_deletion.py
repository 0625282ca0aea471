"""What deleting a client's registration does to its grants (RFC 7592 section 2.3: "invalidate
... all tokens associated with the client") and to the documents it prepared for citizens to
sign (withdrawn: `idp.documents.prepared.withdraw_of_client`), installed as `clients.registry.services.ON_DELETED`
when the provider is built, so the registry never imports `idp.oidc`.

The deletion revokes the client's active grants in its own transaction. A code exchange that
read the client before it (from the per-process cache) writes its grant after the deletion
looked: so, before looking, the deletion leaves its mark in the store (`codes.mark_client_deleted`),
and the exchange, once its grant is written, finds it (`codes.settled`) and revokes that grant
itself. The mark is left again once the deletion committed and ended, as a withdrawal's is
(`idp.oidc.grant_withdrawal`): a code issued from a read of the client before the commit is
dated before it."""

from __future__ import annotations

import time
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.oidc.codes import mark_client_deleted
from idp.oidc.grants import revoke_client_grants
from infra.store import EphemeralStore


class ClientDeletion:
    """`ClientDeleted` over the `oidc_grants` table; `store` and `mark_seconds` (at least a
    code's lifetime): where and how long a deletion's mark is kept."""

    def __init__(self, store: EphemeralStore, *, mark_seconds: int) -> None:
        self.store = store
        self.mark_seconds = mark_seconds

    def __call__(self, session: Session, client_id: str, *, now: datetime) -> int:
        def mark(*_: object) -> None:
            mark_client_deleted(self.store, client_id=client_id, at=time.time(), ttl=self.mark_seconds)

        def committed(_: Session) -> None:
            sa.event.listen(session, "after_transaction_end", mark, once=True)

        # what the agency prepared for citizens to sign ends with it too (documents depend on
        # the provider, not back: read here, as idp.consent declines them on a withdrawal)
        from idp.documents.prepared import withdraw_of_client

        mark()
        sa.event.listen(session, "after_commit", committed, once=True)
        withdraw_of_client(session, client_id=client_id, now=now)
        return revoke_client_grants(session, client_id, now=now)


__all__ = ["ClientDeletion"]
