"""The registrar console (/registrar) and the page where a citizen binds a new passkey (/bind).

Registrars are citizens with the role (granted by an operator) signed in at level high: the
console sends anyone below it to sign in again with a passkey that reaches it.
"""

from __future__ import annotations

import logging
import time
import uuid

import segno
from flask import Blueprint, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from idp.account import recovery_sessions, security_notices
from idp.assurance import assurance_settings
from idp.assurance import services as assurance_services
from idp.citizens import scheme
from idp.citizens.models import Citizen
from idp.citizens.national_id import InvalidNationalId
from idp.citizens.services import passkeys_of
from idp.civil_register.services import match_record, register_empty
from idp.registrar import binding, pages, services
from idp.registrar.desk import redeem_desk_code
from idp.registrar.documents import TYPES, parse_document
from idp.registrar.errors import CitizenNotFound, InvalidDocument, NotHolder, OwnRecord
from idp.sessions import current_session, end_session, sessions_for, start_session
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.store import get_store
from infra.web.csrf import validate_csrf
from infra.web.errors import error_page
from infra.web.i18n import gettext as _
from infra.web.ratelimit import client_address, hit

log = logging.getLogger(__name__)
bp = Blueprint("registrar", __name__)
DONE = {"verified"}
RECLAIM_PAGE = "registrar/reclaim.html"


@bp.get("/registrar")
def index() -> BaseResponse:
    actor = pages.guard("/registrar")
    if isinstance(actor, BaseResponse):
        return actor
    return pages.no_store(render_template("registrar/index.html", actor=actor, scheme=scheme(current_app),
                                          national_id="", error=None,
                                          register_empty=register_empty(current_app)))


@bp.post("/registrar/lookup")
def look_up() -> BaseResponse:
    validate_csrf()
    actor = pages.guard("/registrar")
    if isinstance(actor, BaseResponse):
        return actor
    raw = request.form.get("national_id", "")
    try:
        national_id = scheme(current_app).normalise(raw)
    except InvalidNationalId as exc:
        return pages.no_store(render_template("registrar/index.html", actor=actor, scheme=scheme(current_app),
                                              national_id=raw[:64], error=f"national_id.error.{exc.reason}"), 400)
    try:
        with get_db(current_app).transaction() as db:
            citizen = services.look_up(db, actor=actor, scheme=scheme(current_app).code,
                                       national_id=national_id, now=pages.now())
            citizen_id = citizen.id if citizen is not None else None
    except OwnRecord:
        return pages.own_record(actor, "look_up")
    if citizen_id is None:
        return pages.no_store(render_template("registrar/index.html", actor=actor, scheme=scheme(current_app),
                                              national_id=national_id, error="registrar.error.not_found"), 404)
    return pages.no_store(redirect(f"/registrar/citizens/{citizen_id}", code=303))


def _citizen_page(actor: services.Actor, citizen_id: uuid.UUID, *, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None, status: int = 200,
                  opening: bool = False) -> BaseResponse:
    """The citizen's page. `opening`: the registrar opens it (GET), which is logged; shown
    again with a form's errors it is the same visit, and a refused form changes nothing."""
    if services.is_own_record(actor, citizen_id):
        return pages.own_record(actor, "open")
    try:
        with get_db(current_app).transaction() as db:
            if opening:
                citizen = services.open_record(db, actor=actor, citizen_id=citizen_id, now=pages.now())
            else:
                from idp.citizens.services import get_citizen

                found = get_citizen(db, citizen_id)
                if found is None:
                    raise CitizenNotFound("no such citizen")
                citizen = found
            proofing, method = assurance_services.proofing_of(db, citizen_id)
            documents = services.documents_of(db, citizen_id)
            passkeys = passkeys_of(db, citizen_id)
    except CitizenNotFound:
        return error_page(404, _("registrar.error.not_found.title"), _("registrar.error.not_found"))
    done = request.args.get("done")
    return pages.no_store(render_template(
        "registrar/citizen.html", actor=actor, citizen=citizen, proofing=proofing, method=method,
        documents=documents, passkeys=passkeys, scheme=scheme(current_app), types=TYPES, errors=errors or {},
        values=values or {}, done=done if done in DONE else None), status)


@bp.get("/registrar/citizens/<raw_id>")
@pages.citizen_view()
def citizen(actor: services.Actor, citizen_id: uuid.UUID) -> BaseResponse:
    return _citizen_page(actor, citizen_id, opening=True)


@pages.citizen_view()
def _document_action(actor: services.Actor, citizen_id: uuid.UUID, action: str) -> BaseResponse:
    if services.is_own_record(actor, citizen_id):
        return pages.own_record(actor, action)
    values = {k: request.form.get(k, "")[:64] for k in ("document_type", "document_number",
                                                         "document_expiry")}
    try:
        document = parse_document(request.form, today=pages.now().date())
    except InvalidDocument as exc:
        return _citizen_page(actor, citizen_id, errors={f"{action}-{k}": v for k, v in exc.errors.items()},
                             values=values, status=400)
    # Both raise the account to level high, which vouches for its names and date of birth,
    # typed at its enrolment and never checked: the register must hold them for its national
    # ID (an impostor enrolled with a real person's ID and a forged document is not raised).
    # Asked before a desk code is spent.
    verdict = pages.not_in_register(actor, action=action, citizen_id=citizen_id,
                                    ask=lambda: match_record(current_app, citizen_id))
    if isinstance(verdict, BaseResponse):
        return verdict
    if verdict:
        refused = f"registrar.{action}.refused.not_in_register"
        return _citizen_page(actor, citizen_id, errors={f"{action}-form": refused}, values=values, status=400)
    holder = None
    if action == "verify":
        holder = redeem_desk_code(get_store(current_app), key=pages.desk_key(), citizen_id=citizen_id,
                                  office=actor.service_point or "", code=request.form.get("desk_code", ""))
    try:
        with get_db(current_app).transaction() as db:
            if action == "verify":
                services.verify_in_person(db, actor=actor, citizen_id=citizen_id,
                                          document=document, holder=holder, now=pages.now())
                binding = None
            else:
                from idp.consent.consents import get_consents

                ttl = assurance_settings().binding_seconds
                binding = services.start_recovery(db, get_store(current_app), actor=actor,
                                                  citizen_id=citizen_id, document=document,
                                                  key=pages.binding_key(), ttl=ttl,
                                                  grants=get_consents().grants, now=pages.now())
            # The citizen hears which office did it (someone at a desk with their document, or
            # a desk code read out to a caller, would otherwise change their account unseen);
            # queued with the change, sent by the notify worker.
            security_notices.tell(db, citizen_id, event="identity_verified" if binding is None else
                                  "registrar_recovery", office=actor.service_point or "operator",
                                  by_citizen=False)  # in the citizen's language, not the staff's
    except CitizenNotFound:
        return error_page(404, _("registrar.error.not_found.title"), _("registrar.error.not_found"))
    except OwnRecord:
        return pages.own_record(actor, action)
    except NotHolder:
        count("registrar", "not_holder")
        return _citizen_page(actor, citizen_id, errors={"verify-desk_code": "registrar.error.not_holder"},
                             values=values, status=400)
    if binding is not None:  # the account's passkeys ended: so do its sessions
        for sso in sessions_for(str(citizen_id)):
            end_session(sid=sso.sid, reason="registrar_recovery")
        # ... and what an agency got in them since the commit (its refresh token outlives them).
        from idp.consent.consents import get_consents

        with get_db(current_app).transaction() as db:
            services.end_grants_after_recovery(db, actor=actor, citizen_id=citizen_id,
                                               grants=get_consents().grants, now=pages.now())
    count("registrar", action)
    log.info("registrar action", extra={"action": action, "registrar": actor.name,
                                        "citizen_id": str(citizen_id)})
    if binding is None:
        return pages.no_store(redirect(f"/registrar/citizens/{citizen_id}?done=verified", code=303))
    link = f"{get_settings().issuer}/bind?code={binding.code}"
    qr = segno.make(link, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    return pages.no_store(render_template("registrar/binding.html", actor=actor, code=binding.code,
                                          link=link, qr=qr, minutes=binding.expires_in // 60,
                                          citizen_id=citizen_id))


@bp.post("/registrar/citizens/<raw_id>/verify")
def verify(raw_id: str) -> BaseResponse:
    """Record the identity document checked in person; proofing becomes high."""
    return _document_action(raw_id, "verify")


@bp.post("/registrar/citizens/<raw_id>/recovery")
def recovery(raw_id: str) -> BaseResponse:
    """After the in-person check: a one-time code to add a passkey on the citizen's device."""
    return _document_action(raw_id, "recovery")


@bp.route("/bind", methods=["GET", "POST"])
def bind() -> BaseResponse:
    """The citizen enters the registrar's code (or opens its QR link, which only fills it in),
    then sees whose account it opens and what happens to this browser's session
    (`idp.registrar.binding`): nothing is spent or signed in before they confirm."""
    if request.method == "GET":
        return pages.no_store(render_template("registrar/bind.html", code=request.args.get("code", "")[:20],
                                              failed=False))
    validate_csrf()
    hit("bind")
    code = request.form.get("code", "")[:40]
    with get_db(current_app).read() as db:
        shown = binding.holder(db, get_store(current_app), key=pages.binding_key(), code=code)
        current = current_session()
        current_holder = None
        if current is not None:
            citizen = db.get(Citizen, uuid.UUID(current.citizen_id))
            current_holder = binding.masked(citizen) if citizen is not None else None
    if shown is None:
        count("registrar.bind", "failed")
        # What they typed stays, to correct one character (WCAG 3.3.7): their own input, on a
        # no-store page; /bind/confirm's refusal (a code already accepted) never echoes it.
        return pages.no_store(render_template("registrar/bind.html", code=code[:20], failed=True), 400)
    same = current_holder is not None and current_holder.citizen_id == shown.citizen_id
    binding.note_shown(get_store(current_app), key=pages.binding_key(), code=code,
                       address=client_address(), ttl=assurance_settings().binding_seconds)
    return pages.no_store(render_template("registrar/bind_confirm.html", code=code, holder=shown,
                                          current_holder=current_holder, same=same,
                                          has_session=current is not None))


@bp.post("/bind/confirm")
def bind_confirm() -> BaseResponse:
    """The citizen confirmed the account: the code is spent and this browser signed in to it
    for a short recovery session (its previous session ends)."""
    validate_csrf()
    code = request.form.get("code", "")[:40]
    # One attempt counts once: a code whose account /bind showed to this address was counted
    # there; any other confirmation (a guess sent here directly) counts now.
    if not binding.take_shown(get_store(current_app), key=pages.binding_key(), code=code,
                              address=client_address()):
        hit("bind")
    # The account's recovery generation, read before the code is spent: a later recovery at
    # the desk (or a reclaim) supersedes the session this code opens (idp.account.recovery_sessions).
    opened_by = None
    shown = services.binding_citizen(get_store(current_app), key=pages.binding_key(), code=code)
    if shown is not None:
        with get_db(current_app).read() as db:
            opened_by = recovery_sessions.generation(db, shown)
    citizen_id = services.redeem_binding(get_store(current_app), key=pages.binding_key(),
                                         code=code)
    if citizen_id is not None:
        with get_db(current_app).read() as db:
            if citizen_id != shown or not services.may_bind(db, citizen_id):
                citizen_id = None
    if citizen_id is None:
        count("registrar.bind", "failed")
        return pages.no_store(render_template("registrar/bind.html", code="", failed=True), 400)
    count("registrar.bind", "ok")
    response = redirect("/account", code=303)
    # The person saw whose account this is and that this browser's session ends (/bind):
    # the one confirmed replacement of another citizen's session (idp.sessions).
    start_session(response, citizen_id=str(citizen_id), amr=("otp",), recovery=True,
                  opened_by=opened_by, replace_other=True)
    log.info("binding code redeemed", extra={"citizen_id": str(citizen_id), "at": time.time()})
    return pages.no_store(response)


@bp.route("/registrar/reclaim", methods=["GET", "POST"])
def reclaim() -> BaseResponse:
    """In person: the holder of the identity document gets the national ID that another
    account holds; that account is frozen (idp.assurance.reclaim) and the holder gets a
    binding code to add a passkey on their own device."""
    from idp import audit
    from idp.assurance.reclaim import ReclaimRefused
    from idp.assurance.reclaim import reclaim as move_national_id
    from idp.assurance.reclaim_views import after_freeze
    from idp.consent.consents import get_consents
    from infra.web.i18n import current_language
    from keys import get_service

    form = pages.in_person_request(RECLAIM_PAGE, form_id="reclaim", back="/registrar/reclaim")
    if isinstance(form, BaseResponse):
        return form
    actor, data, document = form.actor, form.data, form.document
    consents = get_consents()
    audit.prepare()
    try:
        with get_db(current_app).transaction() as db:
            done = move_national_id(db, data=data, method="in_person",
                                    source=actor.service_point or "operator",
                                    detail=document.document_type, actor=actor,
                                    policy=consents.policy, sign=consents.sign, grants=consents.grants,
                                    key_service=get_service(current_app),
                                    key=get_secrets().key("reclaim"), language=current_language(),
                                    now=pages.now())
            binding = services.start_recovery(db, get_store(current_app), actor=actor,
                                              citizen_id=uuid.UUID(done.citizen_id),
                                              document=document, key=pages.binding_key(),
                                              ttl=assurance_settings().binding_seconds,
                                              grants=consents.grants, now=pages.now())
    except ReclaimRefused as exc:
        if exc.reason == "own_record":
            return pages.own_record(actor, "reclaim")
        count("registrar", f"reclaim_{exc.reason}")
        return pages.in_person_page(RECLAIM_PAGE, actor, values=form.values, errors={}, status=403,
                                    refused=exc.reason)
    after_freeze(done.frozen_id, done.agencies)
    count("registrar", "reclaim")
    log.info("registrar action", extra={"action": "reclaim", "registrar": actor.name,
                                        "citizen_id": done.citizen_id, "frozen": done.frozen_id})
    link = f"{get_settings().issuer}/bind?code={binding.code}"
    qr = segno.make(link, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    return pages.no_store(render_template("registrar/binding.html", actor=actor, code=binding.code,
                                          link=link, qr=qr, minutes=binding.expires_in // 60,
                                          citizen_id=done.citizen_id))


@bp.route("/account/desk-code", methods=["GET", "POST"])
def desk_code() -> BaseResponse:
    """The citizen, signed in with a passkey on their own device, gets the code to show at a
    registrar's desk: it proves that they hold this account (`idp.registrar.desk`). Not in a
    recovery session (no passkey) nor a wallet session (the wallet proves who, not the account)."""
    from idp.account import reauth
    from idp.registrar.desk import issue_desk_code
    from idp.sessions import require_citizen

    session = require_citizen()
    minutes = max(1, assurance_settings().binding_seconds // 60)
    with get_db(current_app).read() as db:
        offices = sorted({role.service_point for role, _citizen in services.registrars(db)}, key=str.casefold)

    def page(code: str | None = None, *, passkey_needed: bool = False, office: str = "",
             refused: bool = False, status: int = 200) -> BaseResponse:
        return pages.no_store(render_template("registrar/desk_code.html", code=code, minutes=minutes,
                                              passkey_needed=passkey_needed, offices=offices,
                                              office=office, refused=refused), status)

    if session.credential_id is None:
        return page(passkey_needed=True, status=403)
    if request.method == "GET":
        return page()
    validate_csrf()
    office = request.form.get("office", "")[:100]
    if offices and office not in offices:  # the office is part of the code: chosen, never guessed
        return page(refused=True, status=400)
    hit("desk-code", key=session.citizen_id)
    if not reauth.fresh(session):
        return reauth.recheck_form(action="desk_code", back="/account/desk-code")
    code = issue_desk_code(get_store(current_app), key=pages.desk_key(),
                           citizen_id=uuid.UUID(session.citizen_id), credential_id=session.credential_id,
                           office=office if offices else "", ttl=assurance_settings().binding_seconds)
    count("registrar", "desk_code")
    return page(code, office=office if offices else "")
