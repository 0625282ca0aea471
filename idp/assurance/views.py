"""The citizen's page about their level of assurance (/account/assurance), with the check
against the civil register that raises identity proofing to substantial."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, redirect, render_template, request

from idp.assurance import services
from idp.citizens.services import get_citizen, passkeys_of
from idp.civil_register import register
from idp.civil_register.errors import CivilRegisterError
from idp.civil_register.services import check_citizen
from idp.sessions import require_citizen
from infra.db import get_db
from infra.ops.metrics import count
from infra.web.csrf import validate_csrf
from infra.web.ratelimit import hit

bp = Blueprint("assurance", __name__)
OUTCOMES = {"match", "not_found", "mismatch", "unavailable"}


@bp.get("/account/assurance")
def overview() -> Response | str:
    session = require_citizen()
    citizen_id = uuid.UUID(session.citizen_id)
    with get_db(current_app).read() as db:
        citizen = get_citizen(db, citizen_id)
        if citizen is None:
            return redirect("/login", code=303)
        proofing, method = services.proofing_of(db, citizen_id)
        levels = services.passkey_levels(db, citizen_id)
        passkeys = [{"name": p.name, "level": levels.get(p.id, ("substantial", False))[0],
                     "synced": p.backup_eligible} for p in passkeys_of(db, citizen_id)]
        current = services.assess(db, citizen_id=session.citizen_id,
                                  credential_id=session.credential_id, amr=session.amr)
    outcome = request.args.get("register")
    return render_template("assurance/account.html", proofing=proofing, method=method,
                           passkeys=passkeys, current=current,
                           can_check=register(current_app) is not None and proofing == "low",
                           outcome=outcome if outcome in OUTCOMES else None)


@bp.post("/account/assurance/register-check")
def register_check() -> Response:
    """The citizen asks to be matched against the civil register (substantial on a match)."""
    validate_csrf()
    session = require_citizen()
    hit("register-check", key=session.citizen_id)
    found = register(current_app)
    if found is None:
        return redirect("/account/assurance", code=303)
    try:
        with get_db(current_app).transaction() as db:
            result = check_citizen(db, found, citizen_id=uuid.UUID(session.citizen_id),
                                   now=datetime.now(UTC))
        outcome = result.outcome
    except CivilRegisterError:
        outcome = "unavailable"
    count("registry.check", outcome)
    return redirect(f"/account/assurance?register={outcome}", code=303)
