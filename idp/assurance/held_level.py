"""The level a grant may still assert when an agency refreshes it (`idp.oidc.refresh`).

A lowering is seen when something reads the level (a sign-in, the account page); an agency's
refresh does not wait for that. `refused_refresh` re-judges, in the refresh's transaction and
from what is stored only (no network on that path), the level the grant asserts against what
holds now:

* a PID the account's proofing rests on that has expired, or whose last status list reading
  (kept in the store by any use of the level, `wallet_proofing.lapse`) says revoked, is
  withdrawn there (`wallet_proofing.withdraw`: the grants above the level left end, through
  `idp.assurance.lowered_grants`, this one with them when it is above);
* a wallet sign-in's grant whose session's PID (`SsoSession.pid`) has expired or whose last
  status reading says revoked asserts nothing above low (the session itself is worth low then);
* a grant whose session was checked with a passkey whose model the FIDO metadata has since
  reported compromised asserts low at most (such a passkey signs in at low: `services.assess`).

`refused_code` makes that last check for a code in flight at /token (`idp.oidc.services.exchange_code`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from idp.assurance.levels import as_level, rank

if TYPE_CHECKING:
    from idp.assurance.mds import MetadataBlob
    from infra.db import Database


def refused_refresh(db: Session, citizen_id: uuid.UUID, *, level: str | None, passkey: str | None,
                    now: datetime, pid: str | None = None) -> str | None:
    """Why a refresh of the citizen's grant at `level` (None: not known) must mint nothing, as a
    reason of `idp.assurance.lowered_grants.REASONS`, or None. `passkey`: the grant's passkey mark
    (`idp.webauthn.encoding.passkey_mark`). `pid`: for a wallet sign-in's grant, the PID its
    session presented (`SsoSession.pid`, while the session lives). Reads one row more than the refresh (the
    proofing) unless the proofing rests on a PID or the grant's passkey is to be checked."""
    from idp.assurance import wallet_proofing

    if level is None or rank(as_level(level)) == 0:
        return None  # level low asserts nothing a lowering takes away
    lapsed = wallet_proofing.lapse(db, citizen_id, now=now, stored_only=True)
    if lapsed is not None:
        wallet_proofing.withdraw(db, citizen_id, reason=lapsed, now=now)  # ends the grants above
        left, _ = wallet_proofing.evidence_level(db, citizen_id)
        if rank(as_level(level)) > rank(left):
            return wallet_proofing.LAPSED[lapsed]
    presented = wallet_proofing.session_lapse(pid, now=now, stored_only=True)
    if presented is not None:  # the sign-in's own PID: the grant's level rested on it
        return wallet_proofing.LAPSED[presented]
    if passkey is not None and _reported(db, citizen_id, passkey):
        return "reported_passkey"
    return None


def refused_code(database: Database, citizen_id: uuid.UUID, *, level: str | None,
                 passkey: str | None) -> str | None:
    """Why an authorization code issued at `level` with the passkey named by `passkey` (its
    mark) must be exchanged for nothing: "reported_passkey" when the FIDO metadata now reports
    that passkey's model (it signs in at level low only), else None. A metadata update is a file
    each process picks up (`idp.assurance.mds.MetadataService`), in no transaction, so it leaves
    no lowering mark for the codes in flight (`idp.oidc.codes.settled`): the exchange re-judges
    the model, as a refresh does (`refused_refresh`). Reads nothing (no row, no store) unless
    the code is above low with a passkey and the metadata loaded reports some model (one check
    of the BLOB, kept per BLOB: `_reports_any`); then the citizen's passkeys, once."""
    if passkey is None or level is None or rank(as_level(level)) == 0:
        return None
    if not _reports_any(loaded_only=True):
        return None
    with database.lazy_read() as db:
        return "reported_passkey" if _reported(db, citizen_id, passkey) else None


# The BLOB last looked at by `_reports_any`, and whether it reports any model (by AAGUID).
_LAST_BLOB: list[object] = [None, False]


def _reports_any(*, loaded_only: bool = False) -> bool:
    """Whether the FIDO metadata loaded reports any passkey model compromised (False without
    metadata): computed once per BLOB, a scan of its entries. `loaded_only`: without a BLOB in
    this process, no cache file is read for one (`MetadataService.loaded`: the /token path)."""
    blob = _blob(loaded_only=loaded_only)
    if blob is None:
        return False
    seen, answer = _LAST_BLOB
    if seen is not blob:
        answer = any(entry.aaguid and entry.refusal for entry in blob.entries)
        _LAST_BLOB[:] = [blob, answer]
    return bool(answer)


def _blob(*, loaded_only: bool = False) -> MetadataBlob | None:
    """The FIDO metadata the application's attestation policy answers from now (None: none;
    `loaded_only`: none held by this process yet, without looking for one)."""
    from idp.assurance.policy import MetadataAttestationPolicy
    from idp.webauthn.attestation import ATTESTATION_POLICY

    try:
        policy = ATTESTATION_POLICY.of()
    except RuntimeError:  # no application, or no policy installed
        return None
    if not isinstance(policy, MetadataAttestationPolicy):
        return None
    if loaded_only and policy.metadata.loaded() is None:
        return None
    return policy.metadata.current()


def _reported(db: Session, citizen_id: uuid.UUID, mark: str) -> bool:
    """Whether the citizen's passkey named by `mark` is of a model the metadata now reports.
    Without FIDO metadata loaded nothing is reported: no query."""
    import sqlalchemy as sa

    from idp.assurance.services import reported
    from idp.citizens.models import Passkey

    if _blob() is None:
        return False
    from idp.webauthn.encoding import passkey_mark
    from infra.jose import b64url

    for credential_id, aaguid in db.execute(sa.select(Passkey.credential_id, Passkey.aaguid)
                                            .where(Passkey.citizen_id == citizen_id)):
        if passkey_mark(b64url(credential_id)) == mark:
            return reported(aaguid) is not None
    return False


__all__ = ["refused_code", "refused_refresh"]
