"""Matching a citizen against the register. What a match is worth (the proofing it raises)
is `idp.assurance`'s to decide (`assurance.services.apply_register_match`): this package
only asks the register."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, current_app
from sqlalchemy.orm import Session

from idp.citizens.enrolment import EnrolmentData
from idp.citizens.models import Citizen, is_closed, is_frozen
from idp.civil_register import guesses, register
from idp.civil_register.base import CivilRegister, MatchResult, RegisterQuery
from idp.civil_register.errors import CivilRegisterError
from infra.db import get_db

log = logging.getLogger(__name__)


def query_for(citizen: Citizen) -> RegisterQuery:
    return RegisterQuery(national_id_scheme=citizen.national_id_scheme,
                         national_id=citizen.national_id, given_name=citizen.given_name,
                         family_name=citizen.family_name, birthdate=citizen.birthdate)


def check_citizen(session: Session, register: CivilRegister, *, citizen_id: uuid.UUID) -> MatchResult:
    """Ask the register about this citizen's enrolment data. The result carries the register's
    contacts of record, to which a one-time code can then prove possession
    (`idp.assurance.possession`); the caller applies it (`idp.assurance.services.
    apply_register_match`). CivilRegisterError when the citizen is unknown or the register
    cannot answer."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise CivilRegisterError(f"no citizen {citizen_id}")
    query = query_for(citizen)
    guesses.admit(current_app, query)  # an enrolment with another's ID is a guess too
    result = register.match(session, query=query)
    log.info("register check", extra={"citizen_id": str(citizen_id), "outcome": result.outcome,
                                      "source": result.source, "fields": list(result.fields)})
    return result


def match_typed(app: Flask, data: EnrolmentData, *, counted: bool) -> MatchResult | None:
    """The register's answer about details someone typed for a national ID (a claimant at
    /reclaim, a registrar at the desk: `idp.registrar.pages`), mismatches and unknown IDs
    included; None when no register is configured; CivilRegisterError when it cannot answer.
    `counted`: the details count against the national ID first (`guesses.admit`:
    TooManyDetails past the day's limit); a service office is never refused this way."""
    found = register(app)
    if found is None:
        return None
    query = RegisterQuery(national_id_scheme=data.national_id_scheme, national_id=data.national_id,
                          given_name=data.given_name, family_name=data.family_name,
                          birthdate=data.birthdate)
    if counted:
        guesses.admit(app, query)
    return _ask(app, found, query, what="typed details")


def match_record(app: Flask, citizen_id: uuid.UUID) -> MatchResult | None:
    """The register's answer about the details an account holds (what was typed at its
    enrolment, never checked then): a registrar raising it to level high in person
    (`idp.registrar.views`) must not lend the level to names or a date of birth the register
    does not hold for its national ID. Not counted (a service office is not guessing). None
    when no register is configured or the account holds no identity to ask about (unknown,
    frozen or closed: the caller refuses those itself); CivilRegisterError when the register
    cannot answer."""
    found = register(app)
    if found is None:
        return None
    with get_db(app).read() as db:
        citizen = db.get(Citizen, citizen_id)
        if citizen is None or is_frozen(citizen) or is_closed(citizen):
            return None
        query = query_for(citizen)
    return _ask(app, found, query, what="an account's details")


def register_empty(app: Flask) -> bool:
    """Whether the configured register is the imported one and holds nobody of the configured
    national ID scheme (`cedula registry import` never run): its `not_found` then means "not
    loaded", not "not this person" (the desk and the operator console say so,
    `imported.IMPORT_ADVICE`)."""
    from idp.citizens import scheme
    from idp.civil_register.imported import ImportedRegister, holds_records

    if not isinstance(register(app), ImportedRegister):
        return False
    with get_db(app).read() as db:
        return not holds_records(db, scheme=scheme(app).code)


def _ask(app: Flask, found: CivilRegister, query: RegisterQuery, *, what: str) -> MatchResult:
    with get_db(app).read() as db:
        result = found.match(db, query=query)
    log.info("register check of %s", what, extra={"outcome": result.outcome, "source": result.source,
                                                  "fields": list(result.fields)})
    return result
