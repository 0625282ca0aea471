"""Console: reports of possible forgeries sent from /verify (`signing.verify.forgery_reports`),
newest first, a page at a time (keyset paging, like the audit trail's pages). Read only:
following a report up happens outside Cédula."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from idp.operator.guard import operator_page, render
from idp.registrar.services import Actor
from infra.db import get_db
from signing.models import ForgeryReport

bp = Blueprint("operator_forgery_reports", __name__, url_prefix="/operator")
PAGE = 100
MARK_MAX = 32  # a report's reference (`ForgeryReport.id`)


def _mark(raw: str) -> str | None:
    """The reference a page of older reports starts after; anything else (a hand-edited link) is
    the newest page."""
    return raw if 0 < len(raw) <= MARK_MAX and raw.isascii() and raw.replace("-", "").replace("_", "").isalnum() \
        else None


def page(session: Session, *, after: str | None, size: int = PAGE) -> tuple[list[Any], bool]:
    """Up to `size` reports older than the report `after` (newest first, ties by reference),
    and whether there are more after them."""
    t = ForgeryReport
    query = sa.select(t)
    if after is not None:
        mark = session.get(t, after)
        if mark is not None:
            query = query.where(sa.or_(t.created_at < mark.created_at,
                                       sa.and_(t.created_at == mark.created_at, t.id < mark.id)))
    reports = list(session.scalars(query.order_by(t.created_at.desc(), t.id.desc()).limit(size + 1)))
    return reports[:size], len(reports) > size


@bp.get("/forgery-reports")
@operator_page
def index(actor: Actor) -> BaseResponse:
    after = _mark(request.args.get("before", ""))
    with get_db(current_app).read() as session:
        reports, more = page(session, after=after, size=PAGE)
    older = f"/operator/forgery-reports?before={reports[-1].id}" if more else None
    return render("operator/forgery_reports.html", actor=actor, reports=reports, shown=PAGE,
                  older=older, paged=after is not None)
