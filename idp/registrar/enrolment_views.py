"""Assisted enrolment pages of the registrar console (idp.registrar.enrolment): the form that
creates the identity after the in-person check, then the page that binds a passkey by a
security key on this computer or a one-time link for the citizen's phone."""

from __future__ import annotations

import logging
import time
import uuid

import segno
from flask import Blueprint, current_app, jsonify, redirect, render_template
from werkzeug.wrappers import Response as BaseResponse

from idp.assurance import assurance_settings
from idp.registrar import enrolment, pages, services
from idp.registrar.errors import (
    AlreadyEnrolled,
    CitizenNotFound,
    EnrolmentClosed,
    OwnRecord,
)
from idp.registrar.services import Actor
from idp.webauthn import relying_party
from idp.webauthn.errors import WebAuthnError
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.errors import error_page, json_error
from infra.web.i18n import gettext as _
from infra.web.jsonapi import json_body

log = logging.getLogger(__name__)
bp = Blueprint("registrar_enrolment", __name__)
ENROL_PAGE = "registrar/enrol.html"


@bp.route("/registrar/enrol", methods=["GET", "POST"])
def enrol() -> BaseResponse:
    """After checking the person's identity document in person: create their identity."""
    form = pages.in_person_request(ENROL_PAGE, form_id="enrol", back="/registrar/enrol")
    if isinstance(form, BaseResponse):
        return form
    actor = form.actor
    try:
        with get_db(current_app).transaction() as db:
            citizen = enrolment.enrol_in_person(db, get_store(current_app), actor=actor, data=form.data,
                                                document=form.document, ttl=assurance_settings().binding_seconds,
                                                now=pages.now())
            citizen_id = citizen.id
    except OwnRecord:
        return pages.own_record(actor, "enrol")
    except AlreadyEnrolled:
        count("registrar", "enrol_already_enrolled")
        return pages.in_person_page(ENROL_PAGE, actor, values=form.values, errors={}, status=409,
                                    refused="already_enrolled")
    count("registrar", "enrol")
    log.info("registrar action", extra={"action": "enrol", "registrar": actor.name, "citizen_id": str(citizen_id)})
    return pages.no_store(redirect(f"/registrar/enrolments/{citizen_id}", code=303))


_enrolment = pages.citizen_view(under="/registrar/enrolments/")


@bp.get("/registrar/enrolments/<raw_id>")
@_enrolment
def binding_page(actor: Actor, citizen_id: uuid.UUID) -> BaseResponse:
    """The two routes to the citizen's first passkey, while the step is open."""
    if enrolment.is_own(actor, citizen_id):
        return pages.own_record(actor, "bind")
    from idp.citizens.services import get_citizen

    with get_db(current_app).read() as db:
        citizen = get_citizen(db, citizen_id)
        handed_over = citizen is not None and services.handed_over(db, citizen_id)
    if citizen is None:
        return error_page(404, _("registrar.error.not_found.title"), _("registrar.error.not_found"))
    # Not offered for an identity recovered at a desk, frozen or closed since (the routes refuse it).
    is_open = not handed_over and enrolment.binding_open(get_store(current_app), actor=actor, citizen_id=citizen_id)
    return pages.no_store(render_template("registrar/enrolment.html", actor=actor, citizen=citizen,
                                          open=is_open, minutes=assurance_settings().binding_seconds // 60),
                          200 if is_open else 410)


@bp.post("/registrar/enrolments/<raw_id>/phone")
@_enrolment
def phone_link(actor: Actor, citizen_id: uuid.UUID) -> BaseResponse:
    """Route (b): a one-time link and code for the citizen's phone."""
    ttl = assurance_settings().binding_seconds
    try:
        with get_db(current_app).transaction() as db:
            binding = enrolment.issue_phone_link(db, get_store(current_app), actor=actor, citizen_id=citizen_id,
                                                 key=pages.binding_key(), ttl=ttl, now=pages.now())
    except OwnRecord:
        return pages.own_record(actor, "bind")
    except EnrolmentClosed:
        return error_page(410, _("registrar.enrolment.closed.title"), _("registrar.enrolment.closed"))
    count("registrar", "enrol_phone")
    link = f"{get_settings().issuer}/bind?code={binding.code}"
    qr = segno.make(link, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    return pages.no_store(render_template("registrar/binding.html", actor=actor, code=binding.code, link=link,
                                          qr=qr, minutes=binding.expires_in // 60, citizen_id=citizen_id))


@_enrolment
def _key_step(actor: Actor, citizen_id: uuid.UUID, finish: bool) -> BaseResponse:
    body = json_body(allow_empty=not finish)
    store = get_store(current_app)
    try:
        if not finish:
            with get_db(current_app).read() as db:
                options = enrolment.begin_security_key(db, store, actor=actor, citizen_id=citizen_id,
                                                       rp=relying_party(), now=time.time())
            return pages.no_store(jsonify(options))
        with get_db(current_app).transaction() as db:
            name = enrolment.finish_security_key(db, store, actor=actor, citizen_id=citizen_id,
                                                 rp=relying_party(), body=body, now=pages.now(), moment=time.time(),
                                                 default_name=_("registrar.enrolment.security_key_name"))
    except OwnRecord:
        return pages.own_record(actor, "bind")
    except EnrolmentClosed:
        return json_error(410, "enrolment_closed", _("registrar.enrolment.closed"))
    except CitizenNotFound:
        return json_error(404, "not_found", _("registrar.error.not_found"))
    except WebAuthnError as exc:
        count("registrar", f"enrol_key_{exc.error}")
        return json_error(exc.status, exc.error, str(exc))
    count("registrar", "enrol_key")
    log.info("registrar action", extra={"action": "enrol_key", "registrar": actor.name,
                                        "citizen_id": str(citizen_id)})
    return pages.no_store(jsonify(done=True, name=name, next=f"/registrar/enrolments/{citizen_id}/done"))


@bp.post("/registrar/enrolments/<raw_id>/key/options")
def key_options(raw_id: str) -> BaseResponse:
    """Route (a): creation options for a security key plugged into this computer."""
    return _key_step(raw_id, finish=False)


@bp.post("/registrar/enrolments/<raw_id>/key/verify")
def key_verify(raw_id: str) -> BaseResponse:
    return _key_step(raw_id, finish=True)


@bp.get("/registrar/enrolments/<raw_id>/done")
@_enrolment
def done(actor: Actor, citizen_id: uuid.UUID) -> BaseResponse:
    return pages.no_store(render_template("registrar/enrolment_done.html", actor=actor, citizen_id=citizen_id))
