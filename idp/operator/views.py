"""Console: the overview page (/operator) linking every part."""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.wrappers import Response as BaseResponse

from idp.civil_register.services import register_empty
from idp.operator.guard import operator_page, render
from idp.registrar.services import Actor

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.get("")
@operator_page
def index(actor: Actor) -> BaseResponse:
    # An imported register never loaded refuses every desk action: the operator hears it here.
    return render("operator/index.html", actor=actor, register_empty=register_empty(current_app))
