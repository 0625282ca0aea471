"""A proofing raised by a PID from a wallet (method `eudi_wallet`, `idp.wallet.proofing`)
rests on the PID: it is worth what the PID is worth while the level is used. The
PID's expiry and its Token Status List entry are kept as the proofing's evidence, and each
use of the level (`idp.assurance.services.proofing_of`, `assess`) asks `lapse`: once the PID
has expired, or its issuer revoked or suspended it, the proofing falls back to what the other
evidence gives (`withdraw`), and the drop is recorded in the citizen's evidence and
data-sharing log. The status is read at most once per status list `ttl` (the list's own, at
most `MAX_STATUS_SECONDS`) and per process store; a list that cannot be read leaves the level
as it is (the PID was valid when it was presented)."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.assurance.levels import PROOFING_METHODS, Level, rank
from idp.assurance.models import IdentityProofing, ProofingEvidence

if TYPE_CHECKING:
    from idp.wallet.vp_response import ProvenIdentity

log = logging.getLogger(__name__)

METHOD = "eudi_wallet"
LAPSED = {"expired": "wallet_pid_expired", "revoked": "wallet_pid_revoked"}  # evidence kinds
DEFAULT_STATUS_SECONDS = 300  # a list without `ttl`
MAX_STATUS_SECONDS = 900  # also how long a level kept per process may stand on a status
_STATUS = "wallet:pid-status:"


def evidence_detail(identity: ProvenIdentity) -> str:
    """What the proofing rests on, as the evidence's detail: {"exp", "idx", "uri", "ik"} ("ik":
    who issued the PID, `vp_response.issuer_key`: only a status list that issuer signed is
    read again)."""
    facts: dict[str, Any] = {"exp": identity.expires_at, "idx": identity.status_index,
                             "uri": identity.status_uri, "ik": identity.issuer_id}
    detail = json.dumps(facts, separators=(",", ":"))
    if len(detail) > 200:  # the evidence's detail column: the expiry still bounds the level
        log.warning("PID status list URI too long to keep; only its expiry is re-checked",
                    extra={"citizen_id": identity.citizen_id})
        detail = json.dumps({"exp": identity.expires_at}, separators=(",", ":"))
    return detail


def lapse(session: Session, citizen_id: uuid.UUID, *, now: datetime, stored_only: bool = False) -> str | None:
    """"expired" or "revoked" when the PID the citizen's proofing (method `eudi_wallet`) rests
    on has expired or is no longer VALID in its status list; None otherwise (another method,
    no such evidence, or a status that cannot be read now). Reads only. `stored_only` (a
    refresh at /token: no network on that path): the status is the last reading kept in the
    store (`_status`), if any."""
    row = session.get(IdentityProofing, citizen_id)
    if row is None or row.method != METHOD:
        return None
    evidence = session.scalar(
        sa.select(ProofingEvidence)
        .where(ProofingEvidence.citizen_id == citizen_id, ProofingEvidence.kind == METHOD)
        .order_by(ProofingEvidence.recorded_at.desc(), ProofingEvidence.id.desc()).limit(1))
    if evidence is None:
        return None
    return _lapsed(evidence.detail, iss=evidence.source, now=now, network=not stored_only)


def pid_facts(identity: ProvenIdentity) -> str:
    """What a wallet sign-in's session keeps of the PID it presented (`SsoSession.pid`):
    {"exp", "idx", "uri", "iss", "ik"} (as `evidence_detail`), for `session_lapse`."""
    return json.dumps({"exp": identity.expires_at, "idx": identity.status_index, "uri": identity.status_uri,
                       "iss": identity.issuer, "ik": identity.issuer_id}, separators=(",", ":"))


def session_lapse(facts: str | None, *, now: datetime, stored_only: bool = False) -> str | None:
    """`lapse` for the PID a wallet sign-in's session presented (`pid_facts`; None: no PID):
    "expired" or "revoked" once it is no longer worth what it gave that session (`stored_only`:
    as for `lapse`)."""
    if not facts:
        return None
    try:
        iss = str(json.loads(facts).get("iss", ""))
    except (ValueError, TypeError, AttributeError):
        return None
    return _lapsed(facts, iss=iss, now=now, network=not stored_only)


def _lapsed(detail: str, *, iss: str, now: datetime, network: bool) -> str | None:
    try:
        facts = json.loads(detail)
        exp, uri, index = int(facts.get("exp", 0)), str(facts.get("uri", "")), int(facts.get("idx", -1))
        signer = str(facts.get("ik", ""))
    except (ValueError, TypeError, AttributeError):
        return None
    if exp and now.timestamp() >= exp:
        return "expired"
    if uri and index >= 0 and _status(uri, index, iss=iss, signer=signer, now=now,
                                      network=network) == "revoked":
        return "revoked"
    return None


def _status(uri: str, index: int, *, iss: str, signer: str, now: datetime, network: bool = True) -> str | None:
    """"valid" or "revoked" (anything but VALID) for this entry, verified as at presentation
    (`vp_response.check_status`: signed by the PID's own issuer, `signer` its
    `vp_response.issuer_key`, fresh, its `iss` the PID's) and kept in the store for the list's
    `ttl`; None outside an application or when unreadable. A list another issuer signed is
    unreadable, as is every list for evidence kept without `signer` (before it was kept).
    Without `network`, only the reading kept (None without one: a use of the level that may
    fetch, a sign-in or the account page, reads the list again)."""
    from flask import current_app

    from idp.wallet.errors import PresentationRejected
    from idp.wallet.sd_jwt_vc import unverified_header
    from idp.wallet.service import get_wallet
    from idp.wallet.trust import check_chain
    from idp.wallet.vp_response import check_status, issuer_key
    from infra.store import get_store

    try:
        store, wallet = get_store(current_app), get_wallet(current_app)
    except RuntimeError:  # no application, or no wallet
        return None
    if not signer:
        log.info("PID status list unreadable: its issuer was not kept; proofing kept", extra={"uri": uri})
        return None
    key = _status_key(uri, index, signer)
    cached = store.get(key)
    if cached is not None:
        return cached.decode()
    if not network:
        return None
    fetched: list[str] = []

    def fetch(address: str) -> str:
        fetched.append(wallet.fetch_status(address))
        return fetched[-1]

    try:
        token = fetch(uri)
        chain = check_chain(unverified_header(token).get("x5c"), anchors=wallet.trusted_issuers(), now=now)
        if issuer_key(chain) != signer:  # another provider's list: it says nothing of this PID
            raise PresentationRejected("status list: it is not signed by the PID's issuer")
        check_status({"status_list": {"uri": uri, "idx": index}}, fetch=lambda _: token,
                     issued_by=chain, iss=iss,
                     check_issuer=lambda c: wallet.check_issuer_revocation(c, now=now), now=now)
        verdict = "valid"
    except PresentationRejected as exc:
        if exc.error != "credential_revoked":
            log.info("PID status list unreadable; proofing kept", extra={"uri": uri, "error": exc.error})
            return None
        verdict = "revoked"
    except Exception as exc:
        log.info("PID status list unreadable; proofing kept",
                 extra={"uri": uri, "error": type(exc).__name__})
        return None
    store.set(key, verdict.encode(), _ttl(token, now=now))
    return verdict


def _status_key(uri: str, index: int, signer: str) -> str:
    """Where a reading is kept: per entry and per issuer (a list read for one issuer's PID says
    nothing of another's that names the same address)."""
    return _STATUS + hashlib.sha256(f"{signer}#{uri}#{index}".encode()).hexdigest()


def _ttl(token: str, *, now: datetime) -> int:
    """The list's own `ttl` (Token Status List section 5.1), never past its `exp`, at most
    `MAX_STATUS_SECONDS`."""
    from idp.wallet.sd_jwt_vc import LIMITS
    from infra import jose

    try:
        claims = jose.unverified(token, limits=LIMITS).claims()  # verified by check_status
    except jose.JoseError:
        return DEFAULT_STATUS_SECONDS
    ttl = claims.get("ttl")
    seconds = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl > 0 else DEFAULT_STATUS_SECONDS
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        seconds = min(seconds, int(exp - now.timestamp()))
    return max(1, min(seconds, MAX_STATUS_SECONDS))


def withdraw(session: Session, citizen_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
    """The PID's level is gone: the proofing falls back to what the other evidence gives
    (`evidence_level`), with evidence and a data-sharing log entry
    saying why, and the grants agencies hold above that level end (`lowered_grants`: no refresh
    token goes on vouching for what a revoked PID gave). True when it was withdrawn here (not
    already by another request)."""
    from idp import audit
    from idp.assurance.lowered_grants import revoke_grants_above

    row = session.get(IdentityProofing, citizen_id, with_for_update=True)
    if row is None or row.method != METHOD:
        return False
    level, method = evidence_level(session, citizen_id)
    if method == "self_asserted":
        session.delete(row)
    else:
        row.level, row.method, row.updated_at = level, method, now
    session.flush()
    session.add(ProofingEvidence(citizen_id=citizen_id, kind=LAPSED[reason], source="cedula", detail="",
                                 recorded_at=now))
    session.flush()
    audit.append(session, event="wallet.identity_withdrawn", citizen_id=citizen_id, reference=reason,
                 now=now)
    revoke_grants_above(session, citizen_id, level=level, reason=LAPSED[reason])
    log.info("wallet proofing withdrawn", extra={"citizen_id": str(citizen_id), "reason": reason,
                                                 "level": level})
    return True


def evidence_level(session: Session, citizen_id: uuid.UUID) -> tuple[Level, str]:
    """The proofing the citizen's evidence gives without a wallet PID: the highest method
    recorded since the last evidence that removed the proofing (a recovery code, a reported
    passkey, a reclaim), or low and "self_asserted"."""
    level: Level = "low"
    method = "self_asserted"
    for kind in session.scalars(sa.select(ProofingEvidence.kind)
                                .where(ProofingEvidence.citizen_id == citizen_id)
                                .order_by(ProofingEvidence.recorded_at, ProofingEvidence.id)):
        if kind == METHOD or kind in LAPSED.values():
            continue
        if kind not in PROOFING_METHODS:
            level, method = "low", "self_asserted"
        elif rank(PROOFING_METHODS[kind]) >= rank(level):
            level, method = PROOFING_METHODS[kind], kind
    return level, method


__all__ = ["LAPSED", "MAX_STATUS_SECONDS", "METHOD", "evidence_detail", "evidence_level", "lapse", "pid_facts",
           "session_lapse", "withdraw"]
