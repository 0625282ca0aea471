"""The civil register's match right after an enrolment: `idp.civil_register` matches the
enrolment data (`services.check_citizen`), this package applies the answer
(`services.apply_register_match`: evidence, still level low). The enrolment
(`idp.webauthn.views`) calls it; the register knows nothing of assurance."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from flask import Flask

from idp.assurance.services import apply_register_match
from idp.civil_register import register
from idp.civil_register.base import MatchResult
from idp.civil_register.errors import CivilRegisterError
from idp.civil_register.services import check_citizen, register_empty
from infra.db import get_db

log = logging.getLogger(__name__)


def check_after_enrolment(app: Flask, *, citizen_id: str) -> MatchResult | None:
    """Run right after an enrolment, in its own transaction: a register that is down or
    refuses never undoes the enrolment (the citizen can ask again from their account).
    None when no register is configured, it failed, or it is the imported one and was never
    loaded (`register_empty`: not asked, so the enrolment's details are not counted against its
    national ID's daily limit, `guesses.admit`, for an answer that says nothing)."""
    found = register(app)
    if found is None or register_empty(app):
        return None
    try:
        with get_db(app).transaction() as session:
            citizen = uuid.UUID(citizen_id)
            result = check_citizen(session, found, citizen_id=citizen)
            apply_register_match(session, citizen_id=citizen, result=result, now=datetime.now(UTC))
            return result
    except CivilRegisterError as exc:
        log.warning("register check after enrolment failed",
                    extra={"citizen_id": citizen_id, "error": str(exc)})
        return None


__all__ = ["check_after_enrolment"]
