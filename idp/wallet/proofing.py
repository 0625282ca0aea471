"""Proofing with a wallet: a verified PID that matches the citizen's record raises their
identity proofing to high (method `eudi_wallet`, `idp.assurance`), in one transaction, and
what that level rests on (the PID's expiry and status list entry) is kept as its evidence
for `idp.assurance.wallet_proofing`, which re-checks it while the level is used. A PID issued
before the account's last recovery raises nothing ("recovered"), as it signs nobody in."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from idp.assurance.wallet_proofing import METHOD, evidence_detail
from idp.citizens.national_id import NationalIdScheme
from idp.wallet.sign_in import predates_recovery
from idp.wallet.vp_response import ProvenIdentity, matches

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # "raised" | "already_high" | "mismatch" | "recovered" | "unknown_citizen"
    differences: tuple[str, ...] = ()


def apply(session: Session, identity: ProvenIdentity, *, country: str, scheme: NationalIdScheme,
          now: datetime) -> Outcome:
    from idp.assurance.services import raise_proofing, record_evidence
    from idp.citizens import services

    citizen = services.get_citizen(session, identity.citizen_id)
    if citizen is None:
        return Outcome("unknown_citizen")
    differences = matches(identity, given_name=citizen.given_name,
                          family_name=citizen.family_name,
                          birthdate=citizen.birthdate.isoformat(),
                          national_id=citizen.national_id, country=country,
                          normalise_id=scheme.normalise)
    if differences:
        log.info("wallet PID does not match the citizen", extra={
            "citizen_id": identity.citizen_id, "differences": differences})
        return Outcome("mismatch", tuple(differences))
    if predates_recovery(session, citizen.id, identity):
        # As for a sign-in: whoever held the device the account was recovered from may hold
        # its wallet; the recovery code took the proofing back to low, and that PID must not
        # give it back to the passkey its bearer added (`idp.wallet.sign_in.recovered_at`).
        log.warning("wallet proofing refused: the PID predates the account's last recovery",
                    extra={"citizen_id": identity.citizen_id})
        return Outcome("recovered")
    raised = raise_proofing(session, citizen_id=uuid.UUID(identity.citizen_id),
                            method=METHOD, now=now)
    if raised:  # what the level now rests on, for `lapse`
        record_evidence(session, citizen_id=uuid.UUID(identity.citizen_id), kind=METHOD,
                        source=identity.issuer, detail=evidence_detail(identity), now=now)
    from idp import audit

    audit.append(session, event="wallet.identity_proven", citizen_id=identity.citizen_id,
                 claims=("family_name", "given_name", "birthdate", "national_id"), now=now)
    return Outcome("raised" if raised else "already_high")


__all__ = ["Outcome", "apply"]
