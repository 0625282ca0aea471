"""Matching a citizen against the register and raising their proofing on a match."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from idp.assurance.services import proofing_of, raise_proofing, record_evidence
from idp.citizens.models import Citizen
from idp.civil_register.base import CivilRegister, MatchResult, RegisterQuery
from idp.civil_register.errors import CivilRegisterError

log = logging.getLogger(__name__)


def query_for(citizen: Citizen) -> RegisterQuery:
    return RegisterQuery(national_id_scheme=citizen.national_id_scheme,
                         national_id=citizen.national_id, given_name=citizen.given_name,
                         family_name=citizen.family_name, birthdate=citizen.birthdate)


def check_citizen(session: Session, register: CivilRegister, *, citizen_id: uuid.UUID,
                  now: datetime) -> MatchResult:
    """Ask the register about this citizen's enrolment data. A match is recorded as evidence
    (method register_match, still level low: the details are known to anyone who has seen the
    ID card); the result carries the register's contacts of record, to which a one-time code
    can then prove possession (`idp.assurance.possession`). CivilRegisterError when the citizen is
    unknown or the register cannot answer."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise CivilRegisterError(f"no citizen {citizen_id}")
    result = register.match(session, query=query_for(citizen))
    if result.matched and proofing_of(session, citizen_id)[1] == "self_asserted":
        raise_proofing(session, citizen_id=citizen_id, method="register_match", now=now)
        record_evidence(session, citizen_id=citizen_id, kind="register_match",
                        source=result.source, now=now)
    log.info("register check", extra={"citizen_id": str(citizen_id), "outcome": result.outcome,
                                      "source": result.source, "fields": list(result.fields)})
    return result
