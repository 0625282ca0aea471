"""Facts per citizen and per sign-in, and the level they give. Runs in the caller's transaction."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from idp.assurance import amr as amr_module
from idp.assurance.errors import ProofingError
from idp.assurance.levels import (
    PROOFING_METHODS,
    Level,
    as_level,
    authenticator_level,
    rank,
    sign_in_level,
)
from idp.assurance.models import IdentityProofing, PasskeyAssurance, ProofingEvidence
from idp.citizens.models import Citizen, Passkey
from idp.civil_register.base import MatchResult
from idp.webauthn.encoding import from_b64url
from infra.indicators import tally

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assessment:
    """The level of one sign-in and the two facts it comes from, with its RFC 8176 amr."""

    level: Level
    proofing: Level
    authenticator: Level
    amr: tuple[str, ...]


def _uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    except ValueError:
        return None


def _credential(credential_id: str | bytes | None) -> bytes | None:
    if credential_id is None or isinstance(credential_id, bytes):
        return credential_id
    try:
        return from_b64url(credential_id, limit=1023)
    except ValueError:
        return None


def reported(aaguid: str | None) -> str | None:
    """The status the FIDO metadata now reports for this passkey model when it forbids trusting
    it (MDS3 section 3.1.4: REVOKED, USER_VERIFICATION_BYPASS, ...), read from the application's
    attestation policy at each use; None outside an application or without a report."""
    if not aaguid:
        return None
    from idp.webauthn.attestation import ATTESTATION_POLICY

    try:
        return ATTESTATION_POLICY.of().reported(aaguid)
    except RuntimeError:  # no application, or no policy installed (ComponentError)
        return None


def reported_passkey(session: Session, credential_id: str | bytes | None) -> str | None:
    """`reported` for the model of this passkey (base64url or raw credential ID): what a
    session checked with it is worth for acts that outlast the session (adding a passkey)."""
    raw = _credential(credential_id)
    if raw is None:
        return None
    return reported(session.scalar(sa.select(Passkey.aaguid).where(Passkey.credential_id == raw)))


def metadata_revision() -> bytes:
    """Which FIDO metadata `reported` answers from now: what a level kept per process (the
    level of a sign-in at /authorize) stands on besides the database rows. It changes as soon
    as this process accepts a new BLOB (loaded here, or a newer cache file another process
    wrote: `idp.assurance.mds.MetadataService`); empty without a metadata-backed policy.

    A proofing that rests on a wallet PID stands on its status list too, which no table
    records until a lapse is seen (`wallet_checked`): the value also changes every
    `idp.assurance.wallet_proofing.MAX_STATUS_SECONDS`, so a kept level is read again at least as often
    as the status it stands on."""
    from idp.assurance.policy import MetadataAttestationPolicy
    from idp.assurance.wallet_proofing import MAX_STATUS_SECONDS
    from idp.webauthn.attestation import ATTESTATION_POLICY

    epoch = b"+pid:" + str(int(time.time()) // MAX_STATUS_SECONDS).encode()
    try:
        policy = ATTESTATION_POLICY.of()
    except RuntimeError:  # no application, or no policy installed (ComponentError)
        return epoch
    return (str(policy.revision()).encode() if isinstance(policy, MetadataAttestationPolicy) else b"") + epoch


def assess(session: Session, *, citizen_id: str, credential_id: str | bytes | None,
           amr: Iterable[str], pid: str | None = None) -> Assessment:
    """The level of a sign-in with this passkey (base64url credential ID) by this citizen.

    One query: the citizen's proofing and the passkey's recorded attestation facts. The
    authenticator level is the lower of what the passkey proved when it was registered and
    what this sign-in showed (`amr`: user verification). A wallet sign-in (`amr` with `pop`,
    no passkey) is proofed high by the PID it presented (`idp.wallet.sign_in`).

    A passkey whose model the metadata reported compromised after it was registered (`reported`)
    still signs the citizen in (never locked out) but only at authenticator level low; so is a
    session checked with a passkey since marked suspect (one that outlived the ending of its
    sessions) worth low, and one checked with a passkey the account no longer has. So is a wallet
    sign-in whose PID (`pid`, the session's: `SsoSession.pid`) has since expired or been revoked
    (`wallet_proofing.session_lapse`): the proof it gave is gone, the stored proofing stands.
    """
    methods = tuple(dict.fromkeys(amr))
    verified = amr_module.user_verified(methods)
    from_amr: Level = ("high" if amr_module.wallet(methods) else
                       "substantial" if verified and amr_module.possession(methods) else "low")
    key = _uuid(citizen_id)
    raw_credential = _credential(credential_id)
    row = None
    if key is not None:
        passkey_match = sa.and_(Passkey.citizen_id == Citizen.id,
                                Passkey.credential_id == (raw_credential or b""))
        row = session.execute(
            sa.select(IdentityProofing.level, IdentityProofing.method, Passkey.id,
                      Passkey.backup_eligible, Passkey.aaguid, Passkey.suspect_since,
                      PasskeyAssurance.authenticator_level, PasskeyAssurance.uv_method,
                      PasskeyAssurance.attestation_trusted)
            .select_from(Citizen)
            .outerjoin(IdentityProofing, IdentityProofing.citizen_id == Citizen.id)
            .outerjoin(Passkey, passkey_match)
            .outerjoin(PasskeyAssurance, PasskeyAssurance.passkey_id == Passkey.id)
            .where(Citizen.id == key)).first()
    proofing: Level = (row.level if row is not None and row.level else "low")
    if row is not None and key is not None and row.method:
        proofing = wallet_checked(session, key, proofing, row.method)[0]
    authenticator: Level
    if row is not None and row.id is None and credential_id is not None:
        # A sign-in with a passkey the account no longer has (removed, or ended by a recovery
        # at the desk or a reclaim, while this session was starting): what it proved is gone.
        authenticator, final_amr = "low", methods
    elif row is None or row.id is None:
        authenticator, final_amr = from_amr, methods
        if row is not None and from_amr == "high" and raw_credential is None:
            # A wallet sign-in (`idp.wallet.sign_in`): its PID matched this record when it
            # signed in, and is the proofing of this sign-in only; the stored proofing, which
            # every passkey of the account inherits, is not raised by it. Only while that PID
            # holds: once it expired or was revoked, the session is worth low.
            from idp.assurance.wallet_proofing import session_lapse

            if session_lapse(pid, now=datetime.now(UTC)) is None:
                proofing = "high"
            else:
                authenticator = "low"
    else:
        recorded = row.authenticator_level or authenticator_level(
            user_verified=True, backup_eligible=row.backup_eligible, attestation_trusted=False)
        # A model the metadata now reports, or this very passkey marked suspect (a clone
        # signal): low, whatever it proved when it was registered.
        sound = reported(row.aaguid) is None and row.suspect_since is None
        authenticator = recorded if verified and sound else "low"
        # The verification method comes from the model's metadata: only for a model its
        # attestation proved (a row recorded before that rule may hold a claimed one).
        final_amr = amr_module.methods(backup_eligible=row.backup_eligible, user_verified=verified,
                                       uv_method=row.uv_method if row.attestation_trusted else None)
    return Assessment(level=sign_in_level(proofing=proofing, authenticator=authenticator),
                      proofing=proofing, authenticator=authenticator, amr=final_amr)


def proofing_of(session: Session, citizen_id: uuid.UUID | str) -> tuple[Level, str]:
    """The citizen's identity proofing level and method ("self_asserted" without a record);
    a proofing that rests on a wallet PID since expired or revoked is worth what the other
    evidence gives (`wallet_checked`)."""
    key = _uuid(citizen_id)
    row = session.get(IdentityProofing, key) if key else None
    if row is None or key is None:
        return "low", "self_asserted"
    return wallet_checked(session, key, as_level(row.level), row.method)


def wallet_checked(session: Session, citizen_id: uuid.UUID, level: Level,
                   method: str) -> tuple[Level, str]:
    """`level` and `method` as stored, unless the method is a wallet PID that has since expired
    or been revoked (`idp.assurance.wallet_proofing.lapse`, its status cached for the list's ttl): then
    what the other evidence gives (`evidence_level`), and the drop is recorded after the
    request, in a transaction of its own (`idp.assurance.wallet_proofing.withdraw`), once."""
    from idp.assurance import wallet_proofing

    if method != wallet_proofing.METHOD:
        return level, method
    now = datetime.now(UTC)
    reason = wallet_proofing.lapse(session, citizen_id, now=now)
    if reason is None:
        return level, method
    _record_lapse(citizen_id, reason=reason, now=now)
    return wallet_proofing.evidence_level(session, citizen_id)


def _record_lapse(citizen_id: uuid.UUID, *, reason: str, now: datetime) -> None:
    """Record the drop once the request is answered, in a transaction of its own: the caller
    may hold locks (a signature's transaction holds the audit log's head) that this write
    would wait for. Outside a request nothing is written; the next use records it. Each use
    in the request asks once more; `withdraw` records the first only."""
    from flask import after_this_request, current_app, has_request_context

    from idp.assurance import wallet_proofing
    from infra.db import get_db

    if not has_request_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @after_this_request
    def record(response: Any) -> Any:
        try:
            with get_db(app).transaction() as db:
                wallet_proofing.withdraw(db, citizen_id, reason=reason, now=now)
        except SQLAlchemyError as exc:  # the level is computed without the PID all the same
            log.warning("wallet proofing drop not recorded", extra={
                "citizen_id": str(citizen_id), "reason": reason, "error": type(exc).__name__})
        return response


def raise_proofing(session: Session, *, citizen_id: uuid.UUID, method: str,
                   now: datetime) -> bool:
    """Record a proofing method; the level only ever goes up. True when it went up (or, at
    the same level, when a self-asserted identity gained a register match)."""
    if method not in PROOFING_METHODS or method == "self_asserted":
        raise ProofingError(f"unknown proofing method {method!r}; expected register_match, "
                            "register_channel or in_person")
    level = PROOFING_METHODS[method]
    row = session.get(IdentityProofing, citizen_id, with_for_update=True)
    if row is None:
        session.add(IdentityProofing(citizen_id=citizen_id, level=level, method=method,
                                     updated_at=now))
        session.flush()
        tally(session, "proofing.raised", dimension=method, now=now)
        return True
    if rank(level) <= rank(row.level):
        return False
    row.level, row.method, row.updated_at = level, method, now
    session.flush()
    tally(session, "proofing.raised", dimension=method, now=now)
    return True


def reset_proofing(session: Session, *, citizen_id: uuid.UUID, reason: str, now: datetime) -> bool:
    """The account's identity must be proven again: its proofing above low is removed (the
    evidence, kind `reason`, says why). For a sign-in that proves possession of something the
    account had (a recovery code), not who the person is: the passkey that person adds must
    not inherit the level someone else proved. True when a level was removed."""
    row = session.get(IdentityProofing, citizen_id, with_for_update=True)
    if row is None or rank(row.level) == 0:
        return False
    session.delete(row)
    session.flush()
    record_evidence(session, citizen_id=citizen_id, kind=reason, source="cedula", now=now)
    return True


def record_evidence(session: Session, *, citizen_id: uuid.UUID, kind: str, source: str,
                    detail: str = "", now: datetime) -> None:
    """Append one piece of proofing evidence (shown to the citizen, kept for audits)."""
    session.add(ProofingEvidence(citizen_id=citizen_id, kind=kind, source=source[:100],
                                 detail=detail[:200], recorded_at=now))
    session.flush()


def apply_register_match(session: Session, *, citizen_id: uuid.UUID, result: MatchResult,
                         now: datetime) -> bool:
    """What a civil register's answer (`idp.civil_register.services.check_citizen`) is worth:
    a match of a self-asserted identity is recorded as evidence (method register_match, still
    level low: the details are known to anyone who has seen the ID card). True if applied."""
    if not result.matched or proofing_of(session, citizen_id)[1] != "self_asserted":
        return False
    raise_proofing(session, citizen_id=citizen_id, method="register_match", now=now)
    record_evidence(session, citizen_id=citizen_id, kind="register_match", source=result.source, now=now)
    return True


def evidence_of(session: Session, citizen_id: uuid.UUID) -> list[ProofingEvidence]:
    """The citizen's evidence, oldest first."""
    return list(session.scalars(sa.select(ProofingEvidence)
                                .where(ProofingEvidence.citizen_id == citizen_id)
                                .order_by(ProofingEvidence.recorded_at, ProofingEvidence.id)))


@dataclass(frozen=True)
class QualifyingPasskey:
    credential_id: bytes
    transports: tuple[str, ...]


def qualifying_passkeys(session: Session, *, citizen_id: uuid.UUID | str,
                        level: str) -> list[QualifyingPasskey]:
    """The citizen's passkeys whose authenticator reaches `level` (for allowCredentials); not
    one marked suspect (a clone signal: every ceremony refuses it until the citizen acts), nor,
    above level low, one whose model the metadata now reports compromised."""
    key = _uuid(citizen_id)
    if key is None:
        return []
    query = sa.select(Passkey.credential_id, Passkey.transports, Passkey.aaguid).where(
        Passkey.citizen_id == key, Passkey.suspect_since.is_(None))
    if rank(level) >= rank("high"):
        query = query.join(PasskeyAssurance, PasskeyAssurance.passkey_id == Passkey.id).where(
            PasskeyAssurance.authenticator_level == "high")
    above_low = rank(level) > rank("low")  # a reported model reaches low at most (`assess`)
    return [QualifyingPasskey(row.credential_id, tuple(row.transports or ()))
            for row in session.execute(query.order_by(Passkey.id))
            if not (above_low and reported(row.aaguid) is not None)]


def reachable(session: Session, *, citizen_id: uuid.UUID | str, level: str) -> bool:
    """Whether a new sign-in could reach `level`: proofing high enough and a passkey that can."""
    proofing, _ = proofing_of(session, citizen_id)
    return rank(proofing) >= rank(level) and bool(
        qualifying_passkeys(session, citizen_id=citizen_id, level=level))


def passkey_levels(session: Session, citizen_id: uuid.UUID) -> dict[int, tuple[str, bool]]:
    """Passkey id -> (authenticator level, attestation trusted), for the account page; a model
    the metadata now reports compromised shows level low."""
    rows = session.execute(
        sa.select(Passkey.id, Passkey.backup_eligible, Passkey.aaguid, PasskeyAssurance.authenticator_level,
                  PasskeyAssurance.attestation_trusted)
        .outerjoin(PasskeyAssurance, PasskeyAssurance.passkey_id == Passkey.id)
        .where(Passkey.citizen_id == citizen_id))
    return {row.id: ("low" if reported(row.aaguid) else row.authenticator_level or "substantial",
                     bool(row.attestation_trusted)) for row in rows}


def credential_descriptors(session: Session, *, citizen_id: uuid.UUID | str,
                           level: str) -> list[dict[str, object]]:
    """PublicKeyCredentialDescriptorJSON (W3C WebAuthn Level 3, section 5.8.3) of the
    citizen's passkeys that reach `level`, for allowCredentials in a step-up sign-in."""
    from idp.webauthn.encoding import b64url

    return [{"type": "public-key", "id": b64url(p.credential_id),
             **({"transports": list(p.transports)} if p.transports else {})}
            for p in qualifying_passkeys(session, citizen_id=citizen_id, level=level)]


__all__ = ["Assessment", "QualifyingPasskey", "assess", "credential_descriptors", "evidence_of",
           "metadata_revision", "passkey_levels", "proofing_of", "qualifying_passkeys", "raise_proofing", "reachable",
           "record_evidence", "reported", "reported_passkey", "reset_proofing", "wallet_checked"]
