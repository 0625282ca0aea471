"""Who may open a staff console (the operator's, the registrar's): a citizen who holds the role
and whose *current* sign-in is at level high. The consoles map the answer to their own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar
from urllib.parse import quote

from flask import current_app
from sqlalchemy.orm import Session

from idp.assurance import services
from idp.sessions import require_citizen
from infra.db import get_db

A = TypeVar("A")
Refusal = Literal["no_role", "reauth", "too_low"]


def admit_at_high(acting: Callable[[Session, str], A], no_role: type[Exception]) -> A | Refusal:
    """The actor `acting(db, citizen_id)` returns when this sign-in is at level high; else why
    not: `no_role` (it raised `no_role`), `reauth` (another passkey of theirs reaches high),
    `too_low` (none does)."""
    sso = require_citizen()
    with get_db(current_app).read() as db:
        try:
            actor = acting(db, sso.citizen_id)
        except no_role:
            return "no_role"
        found = services.assess(db, citizen_id=sso.citizen_id, credential_id=sso.credential_id,
                                amr=sso.amr)
        if found.level == "high":
            return actor
        possible = services.reachable(db, citizen_id=sso.citizen_id, level="high")
    return "reauth" if possible else "too_low"


def reauth_url(back: str) -> str:
    """Sign in again with a passkey that reaches level high, then come back to `back`."""
    return f"/login?reauth=1&next={quote(back, safe='/')}&acr=high"
