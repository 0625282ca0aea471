"""Reclaiming a squatted identity: "this is my ID and I did not enrol".

Whoever enrols a national ID first holds it. When its genuine owner proves possession (a code
sent to a contact the civil register holds for them, or a registrar in person), in one
transaction:

* the account that held the ID is frozen: every agency's access is withdrawn (consents
  revoked with receipts, grants revoked, so its tokens stop working), its passkeys and
  recovery codes are deleted (they stop working at once), its proofing is removed, and its
  national ID is replaced by a keyed tombstone (`frozen:`); the row, with the names it typed
  in, stays for the operator's investigation;
* what it obtained in the holder's name is revoked ("identity_reclaimed"): documents agencies
  issued to it, PDFs it signed (`signing.service.revoke_everything_of`), and so the wallet
  credentials of those documents in their status lists (`idp.wallet.status_list`); the
  one-time certificates of those signatures are revoked at the CA (CRL and OCSP), so that no
  verifier anywhere takes them for the holder's (`CERTIFICATE_REASON`);
* the claimant gets a new account (a new `sub` for every agency: nothing the other person
  did is attached to them) holding the national ID, proofed by what they showed;
* both sides are written to the operator audit trail and to each citizen's data-sharing log,
  and the frozen account's address is told (a security notice: which office, or a register code).

After the commit the caller ends the frozen account's sessions and tells the agencies
(back-channel logout, `idp.logout`). A code from the register cannot take an ID from an
account that is itself proofed at substantial or high (it proved the same channel, or a
document in person): then only a registrar can decide, in person.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.assurance.errors import AssuranceError
from idp.assurance.levels import rank
from idp.assurance.models import IdentityProofing
from idp.assurance.services import proofing_of, raise_proofing, record_evidence
from idp.citizens.enrolment import EnrolmentData
from idp.citizens.models import FROZEN_PREFIX, Citizen, Passkey, RecoveryCode, is_frozen
from idp.citizens.services import new_citizen
from idp.consent import services as consent_services
from idp.consent.issued_grants import IssuedGrants
from idp.consent.receipts import ReceiptSigner
from idp.consent.settings import ConsentPolicy
from idp.registrar.services import Actor, trail
from idp.wallet import status_list
from infra.unique_insert import insert_unique
from infra.utc import as_utc
from signing.citizen_signature import revoke_certificates_of
from signing.service import revoke_everything_of

if TYPE_CHECKING:
    from keys.service import KeyService

METHODS = ("register_channel", "in_person")
REASON = "identity_reclaimed"
"""The reason verifiers are shown on what the frozen account obtained (documents, signatures)."""
CERTIFICATE_REASON = "keyCompromise"
"""RFC 5280 reason of the frozen account's signing certificates, with the invalidity date its
enrolment (5.3.2). ITU-T X.509 keyCompromise: the key "or other aspects of the subject
validated in the certificate" are compromised: the certificate names the holder, who never held
its key. The invalidity date makes a verifier distrust every signature not proven to exist
before it, that is all of them, time-stamped or not; privilegeWithdrawn (or superseded, ...)
would say the certificate was good until now, and a verifier that validates in the past
(ETSI EN 319 102-1, a signature time-stamped before the revocation) would still take the
impostor's signatures for the holder's."""


class ReclaimRefused(AssuranceError):
    """The national ID cannot be taken over this way; `reason` says why."""

    code = "reclaim_refused"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Reclaimed:
    citizen_id: str
    """The claimant's new account."""
    frozen_id: str | None
    """The account that held the national ID, now frozen (None: nobody held it)."""
    agencies: tuple[str, ...]
    """Agencies that held consents or grants of the frozen account (to be logged out)."""


def tombstone(key: bytes, *, citizen_id: uuid.UUID, scheme: str, national_id: str) -> str:
    """A keyed value that fits the national ID column, unique per frozen account: an operator
    holding the key can tell which ID it held; nobody else can."""
    digest = hmac.new(key, f"{scheme}\x00{national_id}\x00{citizen_id}".encode(),
                      hashlib.sha256).hexdigest()
    return FROZEN_PREFIX + digest[: 64 - len(FROZEN_PREFIX)]


def _freeze(session: Session, holder: Citizen, *, policy: ConsentPolicy, sign: ReceiptSigner,
            grants: IssuedGrants, key_service: KeyService, key: bytes, language: str,
            now: datetime) -> tuple[tuple[str, ...], dict[str, object]]:
    agencies = consent_services.withdraw_all(session, policy=policy, sign=sign, grants=grants,
                                             citizen_id=holder.id, language=language, now=now,
                                             reason=REASON)
    # What it obtained in the holder's name ends too: documents agencies issued to it, PDFs it
    # signed, and (derived from those documents) its wallet credentials in their status lists.
    revoked = revoke_everything_of(session, str(holder.id), reason=REASON, now=now)
    # The certificates of its signatures name the holder: revoked at the CA in this transaction,
    # every verifier (pyHanko, pdfsig, Acrobat) asking the CRL or OCSP hears it, not only ours.
    certificates = revoke_certificates_of(session, key_service, str(holder.id),
                                          reason=CERTIFICATE_REASON,
                                          invalidity_date=min(as_utc(holder.created_at), as_utc(now)),
                                          now=now)
    aaguids = sorted(set(session.scalars(sa.select(Passkey.aaguid)
                                         .where(Passkey.citizen_id == holder.id))))
    passkeys = cast("sa.CursorResult[Any]", session.execute(
        sa.delete(Passkey).where(Passkey.citizen_id == holder.id))).rowcount
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.citizen_id == holder.id))
    proofing, method = proofing_of(session, holder.id)
    session.execute(sa.delete(IdentityProofing).where(IdentityProofing.citizen_id == holder.id))
    holder.national_id = tombstone(key, citizen_id=holder.id, scheme=holder.national_id_scheme,
                                   national_id=holder.national_id)
    session.flush()
    return agencies, {"passkeys_deleted": int(passkeys or 0), "aaguids": aaguids,
                      "agencies": list(agencies), "proofing_was": proofing, "proofing_method_was": method,
                      "documents_revoked": len(revoked.sealed),
                      "signatures_revoked": len(revoked.signed),
                      "certificates_revoked": len(certificates),
                      "credentials_revoked": status_list.credentials_of(
                          session, (*revoked.sealed, *revoked.signed)),
                      "document_agencies": list(revoked.agencies)}


FROZEN_NOTICES = {"in_person": "identity_frozen", "register_channel": "identity_frozen_register"}
"""The security notice the frozen account's address gets, by what the claimant proved."""


def _tell_frozen(session: Session, holder_id: uuid.UUID, *, method: str, office: str) -> None:
    """In the freeze's transaction: the frozen account's address hears which office froze it
    (or that a code from the civil register did), and the way back, as of an in-person check
    or recovery (`idp.account.security_notices`). An impostor who got a national ID this way
    (a document a desk accepted, a registrar who is in on it) must not take the person's
    identity silently: the person learns it before their passkey fails them, and can act."""
    from idp.account import security_notices

    security_notices.tell(session, holder_id, event=FROZEN_NOTICES[method], office=office,
                          by_citizen=False)  # the holder's language, not the claimant's or staff's


def end_grants_after_freeze(session: Session, *, frozen_id: uuid.UUID, grants: IssuedGrants,
                            now: datetime) -> int:
    """Once the frozen account's sessions ended after the reclaim committed: the grants agencies
    got in them meanwhile (a code issued and exchanged between that commit and their end),
    revoked as the freeze revoked the earlier ones; how many. A code exchanged after this finds
    its session ended (`idp.oidc.services.exchange_code`)."""
    return len([g for g in grants.active(session, citizen_id=frozen_id)
                if grants.revoke(session, g.id, reason=REASON, now=now)])


def reclaim(session: Session, *, data: EnrolmentData, method: str, source: str, detail: str,
            actor: Actor, policy: ConsentPolicy, sign: ReceiptSigner, grants: IssuedGrants,
            key_service: KeyService, key: bytes, language: str, now: datetime) -> Reclaimed:
    """Move `data.national_id` to a new account for the claimant, freezing its holder.

    `method` is what the claimant proved: "register_channel" (a code from the register, with
    the register match it needs; proofing and evidence are recorded here) or "in_person" (a
    registrar checked the document; the caller records it and the proofing it gives). Raises
    ReclaimRefused("holder_verified") when a register code meets a holder proofed at
    substantial or more, ReclaimRefused("own_record") when a registrar would take their own
    national ID. `key_service` revokes the frozen account's signing certificates at the CA
    (a key store that cannot sign the CRL raises a `keys.KeyStoreError`: nothing is done).
    Call `idp.audit.prepare()` before the transaction (it may need to
    write the log's key in a transaction of its own)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    holder = session.scalar(sa.select(Citizen).where(
        Citizen.national_id_scheme == data.national_id_scheme,
        Citizen.national_id == data.national_id).with_for_update())
    agencies: tuple[str, ...] = ()
    if actor.registrar_id is not None and holder is not None and holder.id == actor.registrar_id:
        raise ReclaimRefused("a registrar cannot act on their own record", reason="own_record")
    if holder is not None:
        level, _ = proofing_of(session, holder.id)
        if method == "register_channel" and rank(level) >= rank("substantial"):
            raise ReclaimRefused("the account holding this national ID is proofed at "
                                 f"{level}; only a registrar can move it, in person",
                                 reason="holder_verified")
        agencies, facts = _freeze(session, holder, policy=policy, sign=sign, grants=grants,
                                  key_service=key_service, key=key, language=language, now=now)
        trail(session, actor=actor, action="identity.frozen", citizen_id=holder.id, now=now,
              details={**facts, "reclaimed_by_method": method},
              citizen_event="identity.frozen")
        _tell_frozen(session, holder.id, method=method, office=source)
    claimant = new_citizen(data, now=now)
    # Refused when another claim for this ID finished first (it proved the same).
    insert_unique(session, claimant, taken=ReclaimRefused("the national ID was taken over meanwhile",
                                                          reason="holder_verified"))
    if method == "register_channel":
        raise_proofing(session, citizen_id=claimant.id, method="register_match", now=now)
        record_evidence(session, citizen_id=claimant.id, kind="register_match", source=source,
                        now=now)
        raise_proofing(session, citizen_id=claimant.id, method=method, now=now)
        record_evidence(session, citizen_id=claimant.id, kind=method, source=source,
                        detail=detail, now=now)
    # in_person: the registrar's document check is recorded by the caller
    # (idp.registrar.services.verify_in_person), with the document itself.
    if holder is not None:
        record_evidence(session, citizen_id=claimant.id, kind="reclaim", source=source, now=now)
    trail(session, actor=actor, action="identity.reclaimed", citizen_id=claimant.id, now=now,
          details={"method": method, "frozen": str(holder.id) if holder else None},
          citizen_event="identity.reclaimed")
    return Reclaimed(citizen_id=str(claimant.id), frozen_id=str(holder.id) if holder else None,
                     agencies=agencies)


__all__ = ["FROZEN_PREFIX", "METHODS", "ReclaimRefused", "Reclaimed", "end_grants_after_freeze", "is_frozen", "reclaim",
           "tombstone"]
