"""Console: operators and registrars — list, grant and revoke (the same services as
`cedula operators ...` and `cedula registrar ...`), each in the operator audit trail."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from idp.citizens import scheme
from idp.citizens.national_id import InvalidNationalId
from idp.citizens.services import find_by_national_id
from idp.operator import services
from idp.operator.errors import OperatorError, OwnRole
from idp.operator.guard import actor_citizen, now, operator_page, render
from idp.registrar import services as registrar_services
from idp.registrar.errors import RegistrarError
from idp.registrar.services import Actor
from infra.db import get_db
from infra.web.i18n import gettext as _

bp = Blueprint("operator_people", __name__, url_prefix="/operator")
DONE = {"operator.granted", "operator.revoked", "registrar.granted", "registrar.revoked"}
# The page's sentence for a refusal of the services, by its code; the rest is the one refusal
# left (`RegistrarError`, invalid_request): the service point.
REFUSALS = {"not_operator": "operator.people.error.not_operator",
            "not_registrar": "operator.people.error.not_registrar"}


def _page(actor: Actor, *, error: str | None = None, status: int = 200) -> BaseResponse:
    with get_db(current_app).read() as session:
        operators = services.operators(session)
        registrars = registrar_services.registrars(session)
    done = request.args.get("done")
    return render("operator/people.html", status, actor=actor, operators=operators, registrars=registrars,
                  scheme=scheme(current_app), error=error, done=done if done in DONE else None,
                  me=actor_citizen(actor))


@bp.get("/people")
@operator_page
def index(actor: Actor) -> BaseResponse:
    return _page(actor)


@bp.post("/people")
@operator_page
def change(actor: Actor) -> BaseResponse:
    role, action = request.form.get("role"), request.form.get("action")
    if role not in ("operator", "registrar") or action not in ("grant", "revoke"):
        return _page(actor, error=_("operator.people.error.action"), status=400)
    try:
        national_id = scheme(current_app).normalise(request.form.get("national_id", "")[:64])
    except InvalidNationalId:
        return _page(actor, error=_("operator.people.error.national_id"), status=400)
    try:
        with get_db(current_app).transaction() as session:
            citizen = find_by_national_id(session, scheme=scheme(current_app).code, national_id=national_id)
            if citizen is None:
                return _page(actor, error=_("operator.people.error.not_found"), status=404)
            try:
                services.check_own_role(actor_citizen=actor_citizen(actor), citizen_id=citizen.id,
                                        role=role, action=action)
            except OwnRole as exc:  # refused, and that is in the trail (this transaction commits it)
                services.refused(session, actor=actor, citizen_id=citizen.id, role=role, action=action,
                                 reason=exc.code, now=now())
                own = _("operator.people.error.self_grant") if action == "grant" else _("operator.people.error.self")
                return _page(actor, error=own, status=403)
            if role == "operator":
                if action == "grant":
                    services.grant(session, citizen=citizen, by=actor, now=now())
                else:
                    services.revoke(session, citizen=citizen, by=actor, now=now())
            elif action == "grant":
                registrar_services.grant(session, citizen=citizen, operator=actor.name.split(":", 1)[1],
                                         service_point=request.form.get("service_point", "")[:200], now=now())
            else:
                registrar_services.revoke(session, citizen=citizen, operator=actor.name.split(":", 1)[1],
                                          now=now())
    except (OperatorError, RegistrarError) as exc:  # the services' sentences are English, for the CLI
        return _page(actor, error=_(REFUSALS.get(exc.code, "operator.people.error.service_point")), status=400)
    verb = "granted" if action == "grant" else "revoked"
    return redirect(f"/operator/people?done={role}.{verb}", code=303)
