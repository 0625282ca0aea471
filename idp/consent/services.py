"""Consent operations, free of Flask: read the standing decision, record a new one, log each
release of data, list the connected agencies, revoke one. Each runs in the caller's
transaction; every change is written to the data-sharing log (`idp.audit`) in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp import audit
from idp.audit.models import AUDIT_ENTRIES
from idp.consent.decision import Decision, Prior
from idp.consent.errors import AgencyNotConnected, ConsentNotInForce
from idp.consent.issued_grants import IssuedGrants
from idp.consent.models import Consent
from idp.consent.receipts import ReceiptSigner, receipt_claims
from idp.consent.settings import ConsentPolicy
from infra.group_commit import Write
from infra.indicators import tally, tally_many
from infra.utc import as_utc


def as_uuid(value: str | uuid.UUID) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def current(session: Session, *, citizen_id: str | uuid.UUID, client_id: str,
            for_update: bool = False) -> Consent | None:
    """The standing consent row (neither superseded nor revoked), expired or not."""
    query = (sa.select(Consent)
             .where(Consent.citizen_id == as_uuid(citizen_id), Consent.client_id == client_id,
                    Consent.superseded_at.is_(None), Consent.revoked_at.is_(None))
             .order_by(Consent.given_at.desc()).limit(1))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def prior(consent: Consent | None, *, now: datetime) -> Prior | None:
    """The decision that still stands: None when there is none or it has expired."""
    if consent is None or as_utc(consent.expires_at) <= now:
        return None
    return Prior(granted=frozenset(consent.claims), declined=frozenset(consent.declined))


@dataclass(frozen=True)
class Agency:
    """What the citizen is shown about the agency, as it is at the time of the decision."""

    client_id: str
    name: str
    purpose: str | None


def record(session: Session, *, policy: ConsentPolicy, sign: ReceiptSigner, citizen_id: str,
           agency: Agency, decision: Decision, language: str, now: datetime) -> Consent:
    """Store the citizen's decision (superseding the standing one), sign its receipt, log it."""
    previous = current(session, citizen_id=citizen_id, client_id=agency.client_id, for_update=True)
    if previous is not None:
        previous.superseded_at = now
    basis, law = policy.basis(agency.client_id)
    consent = Consent(
        id=uuid.uuid4(), citizen_id=as_uuid(citizen_id), client_id=agency.client_id,
        claims=sorted(decision.claims), declined=sorted(decision.declined),
        agency_name=agency.name[:200], purpose=(agency.purpose or None) and agency.purpose[:500],
        legal_basis=basis, law=law, given_at=now,
        expires_at=now + timedelta(seconds=policy.lifetime_seconds), last_used_at=None,
        superseded_at=None, revoked_at=None, receipt="", withdrawal_receipt=None)
    consent.receipt = sign(receipt_claims(consent=consent, issuer=policy.issuer, event="given", at=now,
                                          language=language))
    session.add(consent)
    narrowed = previous is not None and set(decision.claims) < set(previous.claims or ())
    tally_many(session, [("consent.narrowed" if narrowed else "consent.given", agency.client_id, None),
                         *(("consent.data", agency.client_id, str(name)[:64]) for name in sorted(decision.claims))],
               now=now)
    audit.append(session, event="consent.given", citizen_id=citizen_id, client_id=agency.client_id,
                 claims=decision.claims, purpose=consent.purpose, legal_basis=basis, law=law,
                 reference=str(consent.id), now=now)
    return consent


LAST_USE_RESOLUTION = timedelta(minutes=1)
# The release path's statements, built once (only values are bound per call).
# The standing consent (neither withdrawn nor superseded); in force while it has not expired.
_STANDING_CONSENT = (
    sa.select(Consent.id, Consent.purpose, Consent.legal_basis, Consent.law, Consent.last_used_at,
              Consent.expires_at)
    .where(Consent.citizen_id == sa.bindparam("citizen"), Consent.client_id == sa.bindparam("client"),
           Consent.superseded_at.is_(None), Consent.revoked_at.is_(None))
    .order_by(Consent.given_at.desc()).limit(1))
# The release's log entry, written only while its consent is in force when the entry is
# written, in the transaction that commits it: the entry's event is the consent's row selected
# under a key-share lock (PostgreSQL: a withdrawal's or a new decision's FOR UPDATE waits for the
# entry's transaction, or the entry's waits for theirs and sees the row withdrawn; the consent's
# last use, a no-key update, does not wait). No row in force: the event is NULL, which the
# column refuses (an IntegrityError, `not_in_force`), and the transaction writes nothing. On
# SQLite the INSERT takes the write lock: no withdrawal commits between it and the COMMIT.
_RELEASED_ENTRY = sa.insert(AUDIT_ENTRIES).values(event=(
    sa.select(sa.bindparam("released", type_=sa.String))
    .where(Consent.id == sa.bindparam("consent"), Consent.revoked_at.is_(None), Consent.superseded_at.is_(None),
           Consent.expires_at > sa.bindparam("in_force_at", type_=Consent.expires_at.type))
    .with_for_update(read=True, key_share=True).scalar_subquery()))
_NOT_NULL_EVENT = ("audit_entries.event", 'column "event"')


def not_in_force(error: BaseException) -> bool:
    """True when `error` is a release entry's refusal (`_RELEASED_ENTRY`: its consent was no
    longer in force when the entry was written), as SQLAlchemy or the driver raises it."""
    original = getattr(error, "orig", error)
    if not isinstance(error, sa.exc.IntegrityError) and type(original).__name__ not in (
            "IntegrityError", "NotNullViolation"):
        return False
    text = str(original)
    return "null" in text.lower() and any(name in text for name in _NOT_NULL_EVENT)


def refused(error: BaseException) -> BaseException | None:
    """A release's error as its refusal (`ConsentNotInForce`) when it is the entry's (`not_in_force`):
    a group commit's `Write.refused`; None for any other error."""
    if not not_in_force(error):
        return None
    return ConsentNotInForce("the citizen's consent for this agency is no longer in force (withdrawn or expired) "
                             "when the release was logged: no data is released; sign the citizen in again to ask "
                             "for it")


# Changes nothing a cache keeps that matters (`infra.invalidation`): no generation is bumped.
_NOTE_USE = sa.update(Consent).where(Consent.id == sa.bindparam("consent")).values(
    last_used_at=sa.bindparam("now")).execution_options(cache_neutral=True)


def use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """True when the consent's last use should be written now ("last use" is shown by the
    minute: no write on every UserInfo call)."""
    last_used = as_utc(last_used_at)
    return last_used is None or now - last_used >= LAST_USE_RESOLUTION


def release_writes(*, event: str, citizen_id: str | uuid.UUID, client_id: str, claims: Iterable[str],
                   now: datetime, consent: Any) -> tuple[list[Write], audit.Appended]:
    """The writes that log one release of claims (names only) under the agency's standing
    `consent` (the purpose and legal basis the citizen was shown; None: no consent stands) and
    note its last use when due: plain appends, for the caller's transaction or a group commit.
    The entry's reference is the consent's id: the citizen sees under which decision (and its
    receipt) each release was made. Under a consent, the entry is written only if that consent
    is still in force in the transaction that commits it (`_RELEASED_ENTRY`): otherwise the
    transaction fails and the request raises `ConsentNotInForce` (`refused`), nothing logged."""
    if consent is None:
        entry, appended = audit.pending_entry(event=event, citizen_id=citizen_id, client_id=client_id,
                                              claims=claims, now=now)
        return [entry], appended
    values, appended = audit.pending_values(
        event=event, citizen_id=citizen_id, client_id=client_id, claims=claims, purpose=consent.purpose,
        legal_basis=consent.legal_basis, law=consent.law, reference=str(consent.id), now=now)
    values["released"] = values.pop("event")
    values["consent"], values["in_force_at"] = consent.id, now
    writes = [Write(_RELEASED_ENTRY, values, refused=refused)]
    if use_due(consent.last_used_at, now):
        # "Last use" is shown by the minute: no write on every UserInfo call.
        writes.append(Write(_NOTE_USE, {"consent": consent.id, "now": now}))
    return writes, appended


def record_release(session: Session, *, event: str, citizen_id: str | uuid.UUID, client_id: str,
                   claims: Iterable[str], now: datetime, consent: Any = None) -> audit.Appended:
    """Log one release of claims (names only) under the agency's standing consent, and note
    its last use, in the caller's transaction. `consent`: the standing decision when the caller
    read it already (`idp.oidc.standing.StandingConsent`); without it, the consent in force for
    the agency (the purpose and legal basis the citizen last agreed to, neither withdrawn,
    superseded nor expired) is read, and `ConsentNotInForce` refuses the release when there is none
    (it was logged under the citizen's newest consent, even a withdrawn one)."""
    session.flush()  # the statements below bypass the ORM: let them see what it holds
    connection = session.connection()
    if consent is None:
        consent = connection.execute(_STANDING_CONSENT, {"citizen": as_uuid(citizen_id), "client": client_id}).first()
        if consent is None or as_utc(consent.expires_at) <= now:
            raise ConsentNotInForce(f"the citizen's consent for {client_id!r} is no longer in force (withdrawn or "
                                    "expired): no data is released; sign the citizen in again to ask for it")
    writes, appended = release_writes(event=event, citizen_id=citizen_id, client_id=client_id, claims=claims,
                                      now=now, consent=consent)
    try:
        for write in writes:
            connection.execute(write.statement, write.values)
    except sa.exc.IntegrityError as exc:
        refusal = refused(exc)
        if refusal is None:
            raise
        raise refusal from exc
    return appended


@dataclass(frozen=True)
class Connected:
    """One agency on the "Connected agencies" page."""

    client_id: str
    name: str
    purpose: str | None
    legal_basis: str
    law: str | None
    claims: tuple[str, ...]
    given_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    consent_id: str

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


def connected(session: Session, *, citizen_id: str | uuid.UUID) -> list[Connected]:
    """Every agency with a standing consent, most recently used first (one query)."""
    rows = session.scalars(
        sa.select(Consent).where(Consent.citizen_id == as_uuid(citizen_id), Consent.superseded_at.is_(None),
                                 Consent.revoked_at.is_(None)))
    found = [Connected(client_id=c.client_id, name=c.agency_name, purpose=c.purpose,
                       legal_basis=c.legal_basis, law=c.law, claims=tuple(c.claims),
                       given_at=as_utc(c.given_at), expires_at=as_utc(c.expires_at),
                       last_used_at=as_utc(c.last_used_at), consent_id=str(c.id)) for c in rows]
    return sorted(found, key=lambda c: (c.last_used_at or c.given_at), reverse=True)


def history(session: Session, *, citizen_id: str | uuid.UUID) -> list[Consent]:
    """Every consent record of the citizen, newest first (for receipts and the export)."""
    return list(session.scalars(sa.select(Consent).where(Consent.citizen_id == as_uuid(citizen_id))
                                .order_by(Consent.given_at.desc())))


@dataclass(frozen=True)
class Revoked:
    client_id: str
    grants: int
    sids: tuple[str, ...]


def revoke(session: Session, *, policy: ConsentPolicy, sign: ReceiptSigner, grants: IssuedGrants,
           citizen_id: str | uuid.UUID, client_id: str, language: str, now: datetime,
           reason: str = "citizen") -> Revoked:
    """Withdraw the agency's access at once: end the consent (with a withdrawal receipt) and
    revoke every grant, so its refresh and access tokens stop working (RFC 7009 section 2.1
    semantics); the documents it prepared for the citizen to sign are declined. Back-channel
    logout is the caller's, after the commit."""
    citizen = as_uuid(citizen_id)
    consents = list(session.scalars(
        sa.select(Consent).where(Consent.citizen_id == citizen, Consent.client_id == client_id,
                                 Consent.revoked_at.is_(None)).with_for_update()))
    active = grants.active(session, citizen_id=citizen, client_id=client_id)
    if not consents and not active:
        raise AgencyNotConnected(f"the citizen has no consent or grant for client {client_id!r}")
    standing = None
    for consent in consents:
        consent.revoked_at = now
        if consent.superseded_at is None:
            standing = consent
            consent.withdrawal_receipt = sign(receipt_claims(
                consent=consent, issuer=policy.issuer, event="withdrawn", at=now, language=language))
    revoked = sum(1 for grant in active if grants.revoke(session, grant.id, reason=reason, now=now))
    from idp.documents.prepared import decline_waiting  # documents depend on consent, not back

    decline_waiting(session, citizen_id=citizen, client_id=client_id, now=now)
    basis, law = (standing.legal_basis, standing.law) if standing else policy.basis(client_id)
    tally(session, "consent.withdrawn", agency=client_id, now=now)
    audit.append(session, event="consent.revoked", citizen_id=citizen, client_id=client_id,
                 claims=standing.claims if standing else (), purpose=standing.purpose if standing else None,
                 legal_basis=basis, law=law, reference=str(standing.id) if standing else None, now=now)
    return Revoked(client_id=client_id, grants=revoked, sids=tuple(sorted({g.sid for g in active})))


def withdraw_all(session: Session, *, policy: ConsentPolicy, sign: ReceiptSigner, grants: IssuedGrants,
                 citizen_id: uuid.UUID, language: str, now: datetime, reason: str) -> tuple[str, ...]:
    """`revoke` every agency with a consent or a grant of the citizen (the account closed or
    frozen); returns those agencies, sorted. Back-channel logout is the caller's, after the commit."""
    agencies = set(session.scalars(sa.select(Consent.client_id).where(
        Consent.citizen_id == citizen_id, Consent.revoked_at.is_(None))))
    agencies.update(grant.client_id for grant in grants.active(session, citizen_id=citizen_id))
    for client_id in sorted(agencies):
        revoke(session, policy=policy, sign=sign, grants=grants, citizen_id=citizen_id, client_id=client_id,
               language=language, now=now, reason=reason)
    return tuple(sorted(agencies))
