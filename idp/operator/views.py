"""Console: the overview page (/operator) linking every part."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from idp.operator.guard import operator_page, render
from idp.registrar.services import Actor

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.get("")
@operator_page
def index(actor: Actor) -> BaseResponse:
    return render("operator/index.html", actor=actor)
