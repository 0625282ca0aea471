"""What the token endpoint says when the level of assurance a grant (or a code) asserts no
longer holds (`idp.assurance.held_level`): at a refresh (`idp.oidc.refresh`) and at the
exchange of a code in flight whose passkey's model the FIDO metadata reported since
(`at_exchange`, called by `idp.oidc.services.exchange_code`). A wallet sign-in's grant keeps
the PID its session presented (`claims.PID`, in its claims document: no column of its own), so
that a refresh judges it for the grant's whole lifetime, not only while the session lives."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from idp.assurance.mds import HELD as METADATA_HELD
from idp.oidc import claims as claims_module
from idp.oidc import standing
from idp.oidc.errors import InvalidGrant
from idp.sessions import records
from idp.sessions.records import SessionPolicy
from infra.db import Database
from infra.store import EphemeralStore

_AGAIN = "; sign the citizen in again (start a new authorization request)"
# The reasons of `idp.assurance.held_level.refused_refresh` and `refused_code`, as the agency reads them.
LOWERED = {
    "wallet_pid_expired": "the level of assurance of this grant rested on a PID that has since expired" + _AGAIN,
    "wallet_pid_revoked": ("the level of assurance of this grant rested on a PID that its issuer has since "
                           "revoked" + _AGAIN),
    "reported_passkey": ("the passkey this grant was signed in with is of a model the FIDO metadata has since "
                         "reported compromised, which signs in at level low only" + _AGAIN),
}


def refuse_reported_code(database: Database, acr_uris: Mapping[str, str], citizen_id: uuid.UUID, acr: str,
                         passkey: str) -> None:
    """At the exchange of a code issued at `acr` (`acr_uris`: the URI of each level) with the
    passkey `passkey` (its mark): InvalidGrant when the FIDO metadata has reported that
    passkey's model since and the code is above low (`idp.assurance.held_level.refused_code`:
    a metadata update leaves no lowering mark for the codes in flight). The code is spent;
    no grant is made."""
    from idp.assurance.held_level import refused_code

    level = next((name for name, uri in acr_uris.items() if uri == acr), None)
    reason = refused_code(database, citizen_id, level=level, passkey=passkey)
    if reason is not None:
        raise InvalidGrant(LOWERED[reason])


def at_exchange(database: Database, acr_uris: Mapping[str, str], sessions: SessionPolicy | None,
                store: EphemeralStore, granted: Any, *, now: float) -> str | None:
    """What the exchange of the code `granted` (`idp.oidc.codes.CodeGrant`) re-judges, its session
    seen alive in `store`: its passkey's model (`refuse_reported_code`, for a code with a passkey),
    and, for a wallet sign-in (amr `pop`), the PID its session presented, returned for the grant
    to keep (`with_pid`); None for any other code (no store read)."""
    if granted.passkey is not None and METADATA_HELD[0]:
        refuse_reported_code(database, acr_uris, uuid.UUID(granted.citizen_id), granted.acr, granted.passkey)
    if "pop" not in granted.amr or sessions is None:
        return None
    session = records.by_sid(store, sessions, granted.sid, now)
    return session.pid if session is not None and session.citizen_id == granted.citizen_id else None


def with_pid(claims: dict[str, Any], pid: str | None) -> dict[str, Any]:
    """The grant's claims document with the PID it keeps (`claims.PID`); `claims` itself (shared
    by the grants of equal codes, never changed) without one."""
    return claims if pid is None else {**claims, claims_module.PID: pid}


def kept_pid(claims: Mapping[str, Any] | None) -> str | None:
    """The PID a wallet sign-in's grant kept at its exchange (`with_pid`); None for another grant,
    or one exchanged before grants kept it."""
    found = (claims or {}).get(claims_module.PID)
    return found if isinstance(found, str) else None


def refused_refresh(session: Session, grant: Any, *, acr_uris: Mapping[str, str], sessions: SessionPolicy | None,
                    now: int, store: EphemeralStore | None = None) -> str | None:
    """Why a refresh of `grant` (a `Grant` row or `GrantRecord`) must mint nothing because the
    level of assurance it asserts no longer holds, judged from what holds now (stored facts
    only), as a key of `LOWERED`; None when it still holds. The one rule for both the refresh
    (`idp.oidc.refresh`, which refuses and revokes) and introspection (`idp.oidc.introspection`,
    which calls the token inactive). `acr_uris`: the URI of each level; `sessions`, `store`: for
    a wallet sign-in's session (`store` default: the application's, read only for such a grant)."""
    from idp.assurance.held_level import refused_refresh as refused

    level = next((name for name, uri in acr_uris.items() if uri == grant.acr), None)
    return refused(session, grant.citizen_id, level=level, passkey=grant.passkey,
                   pid=_wallet_pid(sessions, grant, now, store), now=datetime.fromtimestamp(now, UTC))


def _wallet_pid(sessions: SessionPolicy | None, grant: Any, now: int, store: EphemeralStore | None) -> str | None:
    """A wallet sign-in's grant (amr `pop`): the PID its session presented, as the grant kept it at
    its exchange (`kept_pid`), or, for a grant exchanged before grants kept it, as the session
    keeps it while it lives (`SsoSession.pid`); None for any other grant (no store read)."""
    if "pop" not in grant.amr:
        return None
    kept = kept_pid(grant.claims)
    if kept is not None:
        return kept
    if store is None:
        from infra.store import get_store

        store = get_store()
    return standing.session_pid(store, sessions, sid=grant.sid, citizen_id=str(grant.citizen_id),
                                now=float(now))


__all__ = ["LOWERED", "at_exchange", "kept_pid", "refuse_reported_code", "refused_refresh", "with_pid"]
