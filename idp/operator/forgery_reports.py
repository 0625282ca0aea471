"""Console: reports of possible forgeries sent from /verify (`signing.verify.forgery_reports`),
newest first. Read only: following a report up happens outside Cédula."""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.wrappers import Response as BaseResponse

from idp.operator.guard import operator_page, render
from idp.registrar.services import Actor
from infra.db import get_db
from signing.verify import forgery_reports

bp = Blueprint("operator_forgery_reports", __name__, url_prefix="/operator")
SHOWN = 200


@bp.get("/forgery-reports")
@operator_page
def index(actor: Actor) -> BaseResponse:
    with get_db(current_app).read() as session:
        reports = forgery_reports.recent(session, limit=SHOWN)
    return render("operator/forgery_reports.html", actor=actor, reports=reports, shown=SHOWN)
