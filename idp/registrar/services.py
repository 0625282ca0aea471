"""Registrar actions: role grants, look-ups, in-person proofing and in-person recovery.

Every action is written twice in the caller's transaction: in the operator audit trail
(`registrar_audit`) and, when it concerns a citizen, in that citizen's data-sharing log
(`idp.audit.append`), so the citizen sees who looked them up or changed their proofing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp import audit
from idp.assurance.models import IdentityDocument
from idp.assurance.services import raise_proofing, record_evidence
from idp.citizens.models import Citizen, Passkey, RecoveryCode, is_closed, is_frozen
from idp.citizens.services import holds_passkey
from idp.civil_register.base import MatchResult
from idp.consent.issued_grants import IssuedGrants
from idp.registrar import trail_proof
from idp.registrar.desk import DeskConfirmation
from idp.registrar.documents import DocumentCheck
from idp.registrar.errors import CitizenNotFound, NotHolder, NotRegistrar, OwnRecord, RegistrarError
from idp.registrar.models import Registrar, RegistrarAuditEntry
from idp.registrar.roles import grant_role, revoke_role
from idp.wallet.credential import revoke_made_with
from idp.webauthn.encoding import b64url
from infra.store import EphemeralStore

BINDING_PREFIX = "registrar:bind:"
BINDING_CURRENT = "registrar:bind-current:"  # + citizen id: the store key of its latest code
BINDING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
BINDING_LENGTH = 12  # 60 bits, single use, minutes long
SERVICE_POINT_MAX = 100
ENROLMENT_PREFIX = "registrar:enrolment:"  # + citizen id: an assisted enrolment's open passkey step
# The trail's actions that hand an account to someone else (a desk recovery, a reclaim's freeze).
HANDED_OVER = ("recovery.code_issued", "identity.frozen")


def enrolment_ticket(citizen_id: uuid.UUID) -> str:
    """The store key of the passkey step an assisted enrolment left open (`idp.registrar.enrolment`)."""
    return ENROLMENT_PREFIX + str(citizen_id)


@dataclass(frozen=True)
class Actor:
    """Who acts: a registrar (citizen id + service point) or an operator (a name)."""

    name: str  # "registrar:<uuid>" | "operator:<name>"
    service_point: str | None = None
    registrar_id: uuid.UUID | None = None

    @classmethod
    def operator(cls, name: str) -> Actor:
        return cls(name=f"operator:{name[:100]}")


@dataclass(frozen=True)
class BindingCode:
    code: str
    citizen_id: uuid.UUID
    expires_in: int


def trail(session: Session, *, actor: Actor, action: str, citizen_id: uuid.UUID | None,
          now: datetime, details: dict[str, Any] | None = None,
          citizen_event: str | None = None) -> RegistrarAuditEntry:
    """One operator audit trail entry, and the citizen's log entry when `citizen_event`."""
    entry = RegistrarAuditEntry(at=now, actor=actor.name, service_point=actor.service_point,
                                action=action, citizen_id=citizen_id, details=details or {})
    session.add(entry)
    session.flush()
    trail_proof.anchor(session, entry)
    if citizen_event is not None and citizen_id is not None:
        where = actor.service_point or "operator"
        audit.append(session, event=citizen_event, citizen_id=citizen_id,
                     purpose=f"{action} ({where})", legal_basis="consent",
                     reference=f"registrar-audit:{entry.id}", now=now)
    return entry


# Roles (operator CLI).

def grant(session: Session, *, citizen: Citizen, service_point: str, operator: str,
          now: datetime) -> Registrar:
    """Make the citizen a registrar of `service_point` (again, if revoked before)."""
    point = " ".join(service_point.split())
    if not 0 < len(point) <= SERVICE_POINT_MAX:
        raise RegistrarError(f"the service point needs 1 to {SERVICE_POINT_MAX} characters")
    role = grant_role(session, Registrar, citizen.id, by=operator[:100], now=now,
                      new=lambda: Registrar(citizen_id=citizen.id))
    role.service_point = point
    session.flush()
    trail(session, actor=Actor.operator(operator), action="role.granted", citizen_id=citizen.id,
          now=now, details={"service_point": point})
    return role


def revoke(session: Session, *, citizen: Citizen, operator: str, now: datetime) -> None:
    role = revoke_role(session, Registrar, citizen.id, now=now)
    if role is None:
        raise NotRegistrar("this citizen is not a registrar")
    trail(session, actor=Actor.operator(operator), action="role.revoked", citizen_id=citizen.id,
          now=now, details={"service_point": role.service_point})


def registrars(session: Session, *, include_revoked: bool = False) -> list[tuple[Registrar, Citizen]]:
    query = sa.select(Registrar, Citizen).join(Citizen, Citizen.id == Registrar.citizen_id)
    if not include_revoked:
        query = query.where(Registrar.revoked_at.is_(None))
    return [(r, c) for r, c in session.execute(query.order_by(Registrar.service_point,
                                                               Citizen.family_name))]


def acting_registrar(session: Session, citizen_id: str | uuid.UUID) -> Actor:
    """The signed-in citizen as a registrar, or NotRegistrar."""
    key = citizen_id if isinstance(citizen_id, uuid.UUID) else uuid.UUID(citizen_id)
    role = session.get(Registrar, key)
    if role is None or role.revoked_at is not None:
        raise NotRegistrar("the signed-in citizen is not a registrar")
    return Actor(name=f"registrar:{key}", service_point=role.service_point, registrar_id=key)


# Registrar console.

def is_own_record(actor: Actor, citizen_id: uuid.UUID) -> bool:
    """Whether `citizen_id` is the acting registrar's own record (segregation of duties:
    ETSI EN 319 411-1, 6.2.2, the identity is checked by someone other than its holder)."""
    return actor.registrar_id is not None and actor.registrar_id == citizen_id


def _not_own(actor: Actor, citizen_id: uuid.UUID, action: str) -> None:
    if is_own_record(actor, citizen_id):
        raise OwnRecord(f"a registrar cannot {action} their own record")


def refused_own_record(session: Session, *, actor: Actor, action: str, now: datetime) -> None:
    """Trail a registrar's attempt at their own record (it is refused; nothing else happens)."""
    trail(session, actor=actor, action="own_record.refused", citizen_id=actor.registrar_id,
          now=now, details={"attempted": action})


def refused_by_register(session: Session, *, actor: Actor, action: str, citizen_id: uuid.UUID | None,
                        result: MatchResult, now: datetime) -> None:
    """Trail an action refused because the civil register does not hold the details
    (`register.refused`): which fields differ and the outcome, never their values."""
    trail(session, actor=actor, action="register.refused", citizen_id=citizen_id, now=now,
          details={"attempted": action, "outcome": result.outcome, "fields": list(result.fields),
                   "source": result.source})


def open_record(session: Session, *, actor: Actor, citizen_id: uuid.UUID,
                now: datetime) -> Citizen:
    """The citizen whose page a registrar opens; every opening is written to the operator
    trail and the citizen's log (not only look-ups by national ID)."""
    _not_own(actor, citizen_id, "open")
    citizen = _citizen(session, citizen_id)
    trail(session, actor=actor, action="citizen.viewed", citizen_id=citizen_id, now=now,
          citizen_event="registrar.viewed")
    return citizen


def look_up(session: Session, *, actor: Actor, scheme: str, national_id: str,
            now: datetime) -> Citizen | None:
    """The citizen with this (normalised) national ID, or None; every look-up is logged
    (unanswered ones too, so that fishing shows in the trail)."""
    citizen = session.scalar(sa.select(Citizen).where(Citizen.national_id_scheme == scheme,
                                                      Citizen.national_id == national_id))
    if citizen is None:
        trail(session, actor=actor, action="citizen.not_found", citizen_id=None, now=now)
        return None
    _not_own(actor, citizen.id, "look up")
    trail(session, actor=actor, action="citizen.looked_up", citizen_id=citizen.id, now=now,
          citizen_event="registrar.lookup")
    return citizen


def _citizen(session: Session, citizen_id: uuid.UUID, *, lock: bool = False) -> Citizen:
    """The citizen's row (`lock`: FOR UPDATE, as the account's closure takes it); CitizenNotFound."""
    citizen = session.get(Citizen, citizen_id, with_for_update=lock)
    if citizen is None:
        raise CitizenNotFound("no such citizen")
    return citizen


def _holds_no_identity(citizen: Citizen) -> bool:
    """A frozen record (its national ID given back to the holder, idp.assurance.reclaim) or a
    closed one (erased): an in-person check or a binding code would bring it back to life."""
    return is_frozen(citizen) or is_closed(citizen)


def verify_in_person(session: Session, *, actor: Actor, citizen_id: uuid.UUID,
                     document: DocumentCheck, holder: DeskConfirmation | None,
                     now: datetime) -> IdentityDocument:
    """Record the document checked face to face and raise the citizen's proofing to high, for
    the person who holds the account: `holder`, a desk code redeemed for this account, names a
    passkey it still has, not blocked as looking copied (`idp.registrar.desk`). NotHolder
    otherwise: the document proves who the person at the desk is, not that the account is
    theirs (someone may have enrolled with the details printed on their card)."""
    _not_own(actor, citizen_id, "verify")
    if _holds_no_identity(_citizen(session, citizen_id)):
        raise CitizenNotFound("the record is frozen or closed: it holds no identity to verify")
    if holder is None or holder.citizen_id != citizen_id or not holds_passkey(
            session, citizen_id, holder.credential_id):
        raise NotHolder("the person at the desk did not confirm with a passkey of this account")
    return _record_check(session, actor=actor, citizen_id=citizen_id, document=document,
                         confirmed="passkey", now=now)


def verify_new_identity(session: Session, *, actor: Actor, citizen_id: uuid.UUID,
                        document: DocumentCheck, now: datetime) -> IdentityDocument:
    """`verify_in_person` for an identity the registrar creates at the desk (assisted
    enrolment): it holds no passkey yet, so nobody else holds it; the person at the desk gets
    its first one (`idp.registrar.enrolment`)."""
    _not_own(actor, citizen_id, "verify")
    if session.scalar(sa.select(Passkey.id).where(Passkey.citizen_id == citizen_id).limit(1)) is not None:
        raise NotHolder("the identity already holds a passkey: confirm its holder at the desk")
    return _record_check(session, actor=actor, citizen_id=citizen_id, document=document,
                         confirmed="new_identity", now=now)




def _record_check(session: Session, *, actor: Actor, citizen_id: uuid.UUID, document: DocumentCheck,
                  confirmed: str, now: datetime) -> IdentityDocument:
    record = IdentityDocument(citizen_id=citizen_id, document_type=document.document_type,
                              document_number=document.number, expiry=document.expiry,
                              checked_at=now, checked_by=actor.registrar_id,
                              service_point=actor.service_point or "operator")
    session.add(record)
    raised = raise_proofing(session, citizen_id=citizen_id, method="in_person", now=now)
    record_evidence(session, citizen_id=citizen_id, kind="in_person",
                    source=actor.service_point or "operator", detail=document.document_type, now=now)
    trail(session, actor=actor, action="identity.verified", citizen_id=citizen_id, now=now,
          details={"document_type": document.document_type, "proofing_raised": raised,
                   "holder": confirmed},
          citizen_event="registrar.identity_verified")
    session.flush()
    return record


def documents_of(session: Session, citizen_id: uuid.UUID) -> list[IdentityDocument]:
    return list(session.scalars(sa.select(IdentityDocument)
                                .where(IdentityDocument.citizen_id == citizen_id)
                                .order_by(IdentityDocument.checked_at.desc())))


def binding_key(key: bytes, code: str) -> str:
    return BINDING_PREFIX + hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def issue_binding(store: EphemeralStore, *, key: bytes, citizen_id: uuid.UUID, ttl: int) -> str:
    """A new binding code (raw) for `citizen_id`, which supersedes any issued before it: the
    account's latest code is noted (`BINDING_CURRENT`), and only that one opens it (a recovery
    at another office, or a later one here, ends the earlier codes as it ends the passkeys)."""
    raw = "".join(secrets.choice(BINDING_ALPHABET) for _ in range(BINDING_LENGTH))
    stored = binding_key(key, raw)
    store.set(stored, str(citizen_id).encode(), ttl)
    store.set(BINDING_CURRENT + str(citizen_id), stored.encode(), ttl)
    return raw


def binding_current(store: EphemeralStore, *, key: bytes, citizen_id: uuid.UUID, normalised: str) -> bool:
    """Whether `normalised` is the latest binding code issued for `citizen_id`."""
    latest = store.get(BINDING_CURRENT + str(citizen_id))
    return latest is not None and hmac.compare_digest(latest, binding_key(key, normalised).encode())


def normalise_binding(raw: str) -> str | None:
    value = "".join(raw.split()).replace("-", "").upper()
    if len(value) != BINDING_LENGTH or any(c not in BINDING_ALPHABET for c in value):
        return None
    return value


def start_recovery(session: Session, store: EphemeralStore, *, actor: Actor,
                   citizen_id: uuid.UUID, document: DocumentCheck, key: bytes, ttl: int,
                   grants: IssuedGrants, now: datetime) -> BindingCode:
    """After checking the document in person: a one-time code the citizen enters on their
    own device to add a passkey there (a short recovery session, like a recovery code).

    The person at the desk holds none of the account's passkeys (they lost them, or someone
    else enrolled with their details), so every passkey and recovery code of the account ends
    here, and every grant agencies were given in its sessions (their refresh tokens outlive a
    session: an agency's app on the device of whoever held the passkeys read on): after it only
    the document's holder can get in (with this code). The agencies' standing consents stay.
    So do the account's staff roles end (`_end_roles`): the code hands over an account, not an
    operator's or registrar's powers. The caller ends the account's sessions after the commit
    (`idp.sessions.end_session`)."""
    _not_own(actor, citizen_id, "bind a passkey to")
    # The account's lock, as its closure takes it (`idp.consent.closure`): a closure checked with
    # a passkey this ends waits, then sees it ended; one that committed first leaves it closed.
    if _holds_no_identity(_citizen(session, citizen_id, lock=True)):
        raise CitizenNotFound("the record is frozen or closed: it holds no identity to verify")
    ended = _end_credentials(session, citizen_id, now=now)
    revoked = [g for g in grants.active(session, citizen_id=citizen_id)
               if grants.revoke(session, g.id, reason="registrar_recovery", now=now)]
    ended["grants_revoked"] = len(revoked)
    roles = _end_roles(session, citizen_id, now=now)
    if roles:
        ended["roles_revoked"] = roles
    if ended["passkeys_deleted"] or ended["recovery_codes_deleted"] or ended["grants_revoked"] or roles:
        trail(session, actor=actor, action="recovery.credentials_ended", citizen_id=citizen_id,
              now=now, details=ended)
    _record_check(session, actor=actor, citizen_id=citizen_id, document=document,
                  confirmed="recovery", now=now)
    # An assisted enrolment's passkey step still open ends: it would add a passkey to the account
    # handed over here, or give out a code superseding this one (`handed_over` if it read first).
    store.delete(enrolment_ticket(citizen_id))
    raw = issue_binding(store, key=key, citizen_id=citizen_id, ttl=ttl)
    trail(session, actor=actor, action="recovery.code_issued", citizen_id=citizen_id, now=now,
          details={"expires_in": ttl}, citizen_event="registrar.recovery_started")
    code = "-".join(raw[i:i + 4] for i in range(0, BINDING_LENGTH, 4))
    return BindingCode(code=code, citizen_id=citizen_id, expires_in=ttl)


def end_grants_after_recovery(session: Session, *, actor: Actor, citizen_id: uuid.UUID,
                              grants: IssuedGrants, now: datetime) -> int:
    """Once the account's sessions ended after `start_recovery` committed: the grants agencies
    got in them meanwhile (a code issued and exchanged between that commit and their end, in a
    session checked with a passkey the recovery ended), revoked as the recovery revoked the
    earlier ones; how many (trailed when any). None is the holder's yet: only the code the
    recovery gave out opens the account, and not before this. A code exchanged after this finds
    its session ended (`idp.oidc.services.exchange_code`)."""
    revoked = [g for g in grants.active(session, citizen_id=citizen_id)
               if grants.revoke(session, g.id, reason="registrar_recovery", now=now)]
    if revoked:
        trail(session, actor=actor, action="recovery.credentials_ended", citizen_id=citizen_id, now=now,
              details={"grants_revoked": len(revoked), "after_commit": True})
    return len(revoked)


def last_recovery(session: Session, citizen_id: uuid.UUID) -> datetime | None:
    """When the account was last handed over at a desk (`start_recovery`), or None: what was
    in the hands of whoever held its passkeys then (a wallet on the same phone) vouches for
    nothing issued before it."""
    from infra.utc import as_utc

    return as_utc(session.scalar(sa.select(sa.func.max(RegistrarAuditEntry.at)).where(
        RegistrarAuditEntry.citizen_id == citizen_id,
        RegistrarAuditEntry.action == "recovery.code_issued")))


def _end_credentials(session: Session, citizen_id: uuid.UUID, *, now: datetime) -> dict[str, Any]:
    """Every passkey and recovery code of the account, and the wallet credentials taken with
    those passkeys: whoever held them took the citizen's documents into a wallet of their own."""
    aaguids = sorted(set(session.scalars(sa.select(Passkey.aaguid).where(Passkey.citizen_id == citizen_id))))
    held = [b64url(raw) for raw in session.scalars(sa.select(Passkey.credential_id)
                                                   .where(Passkey.citizen_id == citizen_id))]
    credentials = revoke_made_with(session, passkeys=held, now=now)
    passkeys = cast("sa.CursorResult[Any]", session.execute(
        sa.delete(Passkey).where(Passkey.citizen_id == citizen_id))).rowcount
    codes = cast("sa.CursorResult[Any]", session.execute(
        sa.delete(RecoveryCode).where(RecoveryCode.citizen_id == citizen_id))).rowcount
    session.flush()
    ended: dict[str, Any] = {"passkeys_deleted": int(passkeys or 0),
                             "recovery_codes_deleted": int(codes or 0), "aaguids": aaguids}
    if credentials:
        ended["wallet_credentials_revoked"] = credentials
    return ended


def _end_roles(session: Session, citizen_id: uuid.UUID, *, now: datetime) -> list[str]:
    """The account's operator and registrar roles, revoked (the rows kept): which ones. Whoever
    binds a passkey after a desk recovery holds the account, which a registrar who is in on it
    (or fooled by a forged card) may have handed to themselves; with the roles they would open
    the operator console and grant what no operator may grant themselves
    (`idp.operator.services.check_own_role`). Another operator grants them again."""
    from idp.operator.models import Operator

    return [name for name, model in (("operator", Operator), ("registrar", Registrar))
            if revoke_role(session, model, citizen_id, now=now) is not None]


def handed_over(session: Session, citizen_id: uuid.UUID) -> bool:
    """Whether the account was handed to someone at a desk (`start_recovery`) or frozen (a
    reclaim), or holds no identity (frozen, closed, gone): what an assisted enrolment's open step
    may not bind a passkey to (that step is for an identity nobody has held yet)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or _holds_no_identity(citizen):
        return True
    return session.scalar(sa.select(RegistrarAuditEntry.id).where(
        RegistrarAuditEntry.citizen_id == citizen_id,
        RegistrarAuditEntry.action.in_(HANDED_OVER)).limit(1)) is not None


def may_bind(session: Session, citizen_id: uuid.UUID) -> bool:
    """Whether a redeemed binding code may still sign its citizen in to add a passkey: not
    when the record was frozen (a reclaim after the code was issued) or closed meanwhile."""
    citizen = session.get(Citizen, citizen_id)
    return citizen is not None and not _holds_no_identity(citizen)


def binding_citizen(store: EphemeralStore, *, key: bytes, code: str) -> uuid.UUID | None:
    """The citizen a binding code was issued for, without spending it (None: not valid)."""
    normalised = normalise_binding(code)
    value = store.get(binding_key(key, normalised)) if normalised is not None else None
    return uuid.UUID(value.decode()) if value else None


def redeem_binding(store: EphemeralStore, *, key: bytes, code: str) -> uuid.UUID | None:
    """The citizen a binding code was issued for; the code is spent (single use)."""
    normalised = normalise_binding(code)
    if normalised is None:
        return None
    value = store.take(binding_key(key, normalised))
    if not value:
        return None
    citizen_id = uuid.UUID(value.decode())
    if not binding_current(store, key=key, citizen_id=citizen_id, normalised=normalised):
        return None  # superseded by a later code for the account
    store.delete(BINDING_CURRENT + str(citizen_id))
    return citizen_id
