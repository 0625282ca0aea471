"""What every page of the registrar console does: admit the registrar (the role, at level
high), name the citizen a URL points at, refuse a registrar's own record, answer `no-store`, and
show or read the in-person form (the person's details and the document they showed).

Shared by the console (`idp.registrar.views`) and assisted enrolment (`enrolment_views`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import current_app, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from idp.account import reauth
from idp.assurance.staff import Console, admitted_or_refusal, reauth_url
from idp.assurance.staff import console_page as no_store
from idp.citizens import scheme
from idp.citizens.enrolment import EnrolmentData
from idp.civil_register.base import MatchResult
from idp.civil_register.errors import CivilRegisterError
from idp.civil_register.imported import IMPORT_ADVICE
from idp.civil_register.services import match_typed, register_empty
from idp.registrar import services
from idp.registrar.documents import TYPES, DocumentCheck, read_in_person_form
from idp.registrar.errors import NotRegistrar
from idp.sessions import require_citizen
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.web.csrf import validate_csrf
from infra.web.errors import error_page, respond, unavailable
from infra.web.i18n import gettext as _

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


def binding_key() -> bytes:
    """The key of the one-time binding codes (a passkey added after an in-person check)."""
    return get_secrets().key("registrar-binding")


def desk_key() -> bytes:
    """The key of the desk codes (the person at the desk holds the account, `registrar.desk`)."""
    return get_secrets().key("registrar-desk")


CONSOLE = Console(name="registrar", denied_title="registrar.denied.title", denied_role="registrar.denied.role",
                  denied_level="registrar.denied.level")


def guard(back: str) -> services.Actor | BaseResponse:
    """The signed-in registrar at level high, or the response that stops them (`back`: where a
    passkey re-check returns)."""
    return admitted_or_refusal(services.acting_registrar, NotRegistrar, CONSOLE, back)


def stale(back: str, *, api: bool = False) -> BaseResponse | None:
    """None when the registrar's sign-in is fresh enough to act (a POST that verifies, binds,
    enrols or moves a national ID); else a 303 to sign in again at level high, coming back to
    `back` (`api`, a JSON call of the console's script: 403 `reauthentication_required` with
    that address as `reauth_uri`). As for a citizen's own sensitive actions
    (idp.account.reauth), a copied session cookie or a console left open must not issue binding
    codes or bind a security key (a passkey on anyone's account) or freeze accounts."""
    if reauth.fresh(require_citizen()):
        return None
    count("registrar", "reauthentication_required")
    if api:
        response = jsonify(error="reauthentication_required",
                           error_description=_("registrar.reauth.api", minutes=reauth.minutes()),
                           reauth_uri=reauth_url(back))
        response.status_code = 403
        return no_store(response)
    return no_store(redirect(reauth_url(back), code=303))


def own_record(actor: services.Actor, action: str) -> BaseResponse:
    """403: a registrar's own record is never theirs to act on. The attempt is trailed."""
    with get_db(current_app).transaction() as db:
        services.refused_own_record(db, actor=actor, action=action, now=now())
    count("registrar", "own_record")
    log.warning("registrar refused on own record", extra={"registrar": actor.name,
                                                          "action": action})
    return no_store(respond(403, "own_record", _("registrar.denied.own_record"),
                            _("registrar.denied.title")))


def _citizen_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def target(raw_id: str, *, under: str = "/registrar/citizens/") -> tuple[services.Actor, uuid.UUID] | BaseResponse:
    """The acting registrar and the citizen a registrar URL names (`under` + the id: where a
    re-check sends the registrar back), or the response that refuses the request (no role,
    level too low, or no such citizen)."""
    citizen_id = _citizen_id(raw_id)
    actor = guard(f"{under}{citizen_id}" if citizen_id else "/registrar")
    if isinstance(actor, BaseResponse):
        return actor
    if citizen_id is None:
        return error_page(404, _("registrar.error.not_found.title"), _("registrar.error.not_found"))
    return actor, citizen_id


def citizen_view(under: str = "/registrar/citizens/"
                 ) -> Callable[[Callable[..., BaseResponse]], Callable[..., BaseResponse]]:
    """A registrar view about the citizen a URL names (`raw_id`): a POST's CSRF token first,
    then `target` (its refusal is the answer); the view gets `actor, citizen_id` in place of
    `raw_id`."""

    def decorate(fn: Callable[..., BaseResponse]) -> Callable[..., BaseResponse]:
        @wraps(fn)
        def view(raw_id: str, *args: Any, **kwargs: Any) -> BaseResponse:
            if request.method == "POST":
                validate_csrf()
            found = target(raw_id, under=under)
            if isinstance(found, BaseResponse):
                return found
            if request.method == "POST":
                refusal = stale(f"{under}{found[1]}", api=request.is_json)
                if refusal is not None:
                    return refusal
            return fn(*found, *args, **kwargs)

        return view

    return decorate


def in_person_page(template: str, actor: services.Actor, *, values: dict[str, str],
                   errors: dict[str, str], status: int = 200, refused: str | None = None) -> BaseResponse:
    """A page with the in-person form (`registrar/enrol.html`, `registrar/reclaim.html`)."""
    return no_store(render_template(template, actor=actor, values=values, errors=errors,
                                    refused=refused, scheme=scheme(current_app), types=TYPES), status)


@dataclass(frozen=True)
class InPersonRequest:
    """A valid in-person form: who acts, what they typed, the person's details, the document."""

    actor: services.Actor
    values: dict[str, str]
    data: EnrolmentData
    document: DocumentCheck


def in_person_request(template: str, *, form_id: str, back: str) -> InPersonRequest | BaseResponse:
    """The registrar's in-person form at `back`: on GET the empty page; on POST (CSRF) the
    valid request, or the page again naming every wrong field (400). No role or too low a
    level: the response that stops the registrar."""
    actor = guard(back)
    if isinstance(actor, BaseResponse):
        return actor
    if request.method == "GET":
        return in_person_page(template, actor, values={}, errors={})
    validate_csrf()
    refusal = stale(back)
    if refusal is not None:
        return refusal
    typed = read_in_person_form(request.form, form_id=form_id, scheme=scheme(current_app),
                                minimum_age=int(get_settings()["enrolment"]["minimum_age"]),
                                today=now().date())
    if typed.errors or typed.data is None or typed.document is None:
        return in_person_page(template, actor, values=typed.values, errors=typed.errors, status=400)
    refusal = register_refusal(template, actor, values=typed.values, data=typed.data, action=form_id)
    if refusal is not None:
        return refusal
    return InPersonRequest(actor=actor, values=typed.values, data=typed.data, document=typed.document)


def register_refusal(template: str, actor: services.Actor, *, values: dict[str, str], data: EnrolmentData,
                     action: str) -> BaseResponse | None:
    """None when the civil register holds these names and date of birth for this national ID
    (the check of `/reclaim`, `civil_register.services.match_typed`), or no register is
    configured; else the form again saying what to do (400, `refused="not_in_register"`), or
    503 when the register cannot answer (`not_in_register`): one registrar alone never enrols
    or moves a national ID with details the register does not hold."""
    verdict = not_in_register(actor, action=action,
                              ask=lambda: match_typed(current_app, data, counted=False))  # not guessing
    if isinstance(verdict, BaseResponse):
        return verdict
    if not verdict:
        return None
    return in_person_page(template, actor, values=values, errors={}, status=400, refused="not_in_register")


def not_in_register(actor: services.Actor, *, action: str, ask: Callable[[], MatchResult | None],
                    citizen_id: uuid.UUID | None = None) -> BaseResponse | bool:
    """The desk's one check against the civil register: `ask` it (`civil_register.services`
    `match_typed` or `match_record`). False when it holds the details (or no register is
    configured); True when it does not, trailed as `register.refused` (which fields differ,
    never their values), for the caller to show its page again (400, what to check and that a
    wrong register is corrected at the civil registry); 503 + Retry-After when it cannot
    answer, or when it is the imported register and was never loaded (the log line says how to
    load it), nothing done."""
    try:
        result = ask()
    except CivilRegisterError as exc:
        count("registrar", f"{action}_registry_unavailable")
        log.warning("registrar refused: the civil register could not be asked",
                    extra={"registrar": actor.name, "action": action, "error": str(exc)})
        return no_store(unavailable(60, message="reclaim.error.registry_unavailable"))
    if result is None or result.matched:
        return False
    if result.outcome == "not_found" and register_empty(current_app):
        # Never imported: "not found" says nothing about the person, who must not be sent to
        # correct a register that is right. The operator must load it.
        count("registrar", f"{action}_register_empty")
        log.warning("registrar refused: the imported civil register is empty",
                    extra={"registrar": actor.name, "action": action, "advice": IMPORT_ADVICE})
        return no_store(unavailable(60, message="registrar.error.register_empty"))
    with get_db(current_app).transaction() as db:
        services.refused_by_register(db, actor=actor, action=action, citizen_id=citizen_id, result=result,
                                     now=now())
    count("registrar", f"{action}_not_in_register")
    log.warning("registrar refused: not the civil register's details",
                extra={"registrar": actor.name, "action": action, "outcome": result.outcome})
    return True


__all__ = ["InPersonRequest", "binding_key", "desk_key", "guard", "in_person_page", "in_person_request",
           "no_store", "not_in_register", "now", "own_record", "register_refusal", "target"]
