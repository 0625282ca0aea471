"""Console: the indicators dashboard — a chart (server-rendered SVG) per indicator with the
same numbers in a table, for all agencies or one, over a chosen period; exact numbers (the
console is the one place without the privacy floor) and CSV/JSON export."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from clients.registry.services import list_clients
from idp.indicators.catalog import KINDS
from idp.indicators.charts import PeriodName, period_names, svg
from idp.indicators.export import as_csv, as_json
from idp.indicators.report import Period, PeriodError, Report, Series, parse_period
from idp.indicators.services import report
from idp.indicators.settings import indicator_settings
from idp.operator import services
from idp.operator.guard import now, operator_page, render
from idp.registrar.services import Actor
from infra.db import get_db
from infra.indicators import today
from infra.web.i18n import formats
from infra.web.i18n import gettext as _

bp = Blueprint("operator_indicators", __name__, url_prefix="/operator")


@dataclass(frozen=True)
class Chart:
    kind: str
    title: str
    image: Markup
    series: list[Series]
    totals: list[int]  # per period, all dimensions together


def _period() -> tuple[Period | None, PeriodError | None]:
    try:
        return parse_period(start=request.args.get("start"), end=request.args.get("end"),
                            step=request.args.get("step"), today=today(),
                            max_days=indicator_settings().max_days), None
    except PeriodError as exc:
        return None, exc


def _agency() -> str | None:
    return request.args.get("agency", "")[:64] or None


def periods(found: Report) -> list[PeriodName]:
    """The report's periods as the page's language writes them (the exports keep ISO 8601)."""
    return period_names(found.buckets, found.period.step, formats(), week=_("operator.indicators.week_of"))


def charts(found: Report) -> list[Chart]:
    result = []
    written = formats()
    names = periods(found)
    for kind in KINDS:
        series = found.of(kind.name)
        if not series:
            continue
        title = _(f"indicators.kind.{kind.name}")
        totals = [sum(s.values[i] for s in series) for i in range(len(found.buckets))]
        description = _("operator.indicators.chart_description", total=written.number(sum(totals)),
                        start=written.date(found.period.start), end=written.date(found.period.end))
        image = svg(title=title, description=description, buckets=found.buckets, series=series,
                    chart_id=f"chart-{kind.name.replace('.', '-')}", names=names, number=written.number)
        result.append(Chart(kind=kind.name, title=title, image=image, series=series, totals=totals))
    return result


@bp.get("/indicators")
@operator_page
def index(actor: Actor) -> BaseResponse:
    period, error = _period()
    agency = _agency()
    with get_db(current_app).read() as session:
        agencies = [(c.client_id, str(c.client_metadata.get("client_name") or c.client_id))
                    for c in list_clients(session)]
        found = report(session, period, agency=agency) if period is not None else None
    values = {name: request.args.get(name, "")[:10] for name in ("start", "end")}
    if period is not None:
        values = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return render("operator/indicators.html", 400 if error else 200, actor=actor, agencies=agencies,
                  agency=agency, step=period.step if period else "day", values=values, error=error,
                  report=found, charts=charts(found) if found is not None else [],
                  periods=periods(found) if found is not None else [],
                  query=request.query_string.decode("ascii", "replace"))


@bp.get("/indicators/export")
@operator_page
def export(actor: Actor) -> BaseResponse:
    period, error = _period()
    if period is None:
        assert error is not None
        return Response(json.dumps({"error": "invalid_request", "error_description": error.description}),
                        status=400, mimetype="application/json")
    agency = _agency()
    fmt = "json" if request.args.get("format") == "json" else "csv"
    with get_db(current_app).transaction() as session:
        found = report(session, period, agency=agency)
        services.record(session, actor=actor, action="indicators.exported", now=now(),
                        details={"format": fmt, "agency": agency, "start": period.start.isoformat(),
                                 "end": period.end.isoformat(), "step": period.step})
    if fmt == "json":
        response = Response(json.dumps(as_json(found, floor=None), ensure_ascii=False, indent=1),
                            mimetype="application/json")
    else:
        response = Response(as_csv(found, floor=None), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="indicators-{period.start}-{period.end}.{fmt}"')
    return response
