"""Who may open a staff console (the operator's, the registrar's): a citizen who holds the role
and whose *current* sign-in is at level high. The consoles map the answer to their own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import quote

from flask import Response, current_app, redirect
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from idp.assurance import services
from idp.sessions import require_citizen
from infra.db import get_db
from infra.ops.metrics import count
from infra.web.caching import no_store
from infra.web.errors import error_page
from infra.web.i18n import gettext as _

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
                                amr=sso.amr, pid=sso.pid)
        if found.level == "high":
            return actor
        possible = services.reachable(db, citizen_id=sso.citizen_id, level="high")
    return "reauth" if possible else "too_low"


def reauth_url(back: str) -> str:
    """Sign in again with a passkey that reaches level high, then come back to `back`."""
    return f"/login?reauth=1&next={quote(back, safe='/')}&acr=high"


def console_page(body: str | BaseResponse, status: int = 200) -> BaseResponse:
    """A console page (HTML `body`) or answer that no cache keeps: it names a citizen."""
    return no_store(body if isinstance(body, BaseResponse)
                    else Response(body, status=status, mimetype="text/html"))


@dataclass(frozen=True)
class Console:
    """A staff console's own words for a refusal: its metric and its message ids."""

    name: str  # the metric counting its refusals ("operator", "registrar")
    denied_title: str
    denied_role: str  # the visitor does not hold the role
    denied_level: str  # none of their passkeys reaches level high


def admitted_or_refusal(acting: Callable[[Session, str], A], no_role: type[Exception], console: Console,
                        back: str) -> A | BaseResponse:
    """The actor (`admit_at_high`), or the answer that stops the visitor: a 403 page saying why,
    or a sign-in again with a passkey that reaches high, coming back to `back`."""
    admitted = admit_at_high(acting, no_role)
    if admitted == "no_role":
        count(console.name, f"not_{console.name}")
        return error_page(403, _(console.denied_title), _(console.denied_role))
    if admitted == "reauth":
        return no_store(redirect(reauth_url(back), code=303))
    if admitted == "too_low":
        count(console.name, "level_too_low")
        return error_page(403, _(console.denied_title), _(console.denied_level))
    return admitted
