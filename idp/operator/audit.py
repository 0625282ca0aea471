"""Console: the operator audit trail (registrar and operator actions), searchable by actor,
action, citizen and dates, exportable as CSV or JSON (the export itself is recorded)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from werkzeug.wrappers import Response as BaseResponse

from idp.operator import services
from idp.operator.guard import now, operator_page, render
from idp.registrar.models import RegistrarAuditEntry
from idp.registrar.services import Actor
from infra.db import get_db
from infra.utc import as_utc

bp = Blueprint("operator_audit", __name__, url_prefix="/operator")
PAGE = 100
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class Search:
    actor: str = ""
    action: str = ""
    citizen: str = ""
    start: date | None = None
    end: date | None = None
    errors: tuple[str, ...] = ()

    def statement(self) -> sa.Select[Any]:
        t = RegistrarAuditEntry
        query = sa.select(t)
        if self.actor:
            query = query.where(t.actor.contains(self.actor, autoescape=True))
        if self.action:
            query = query.where(t.action.contains(self.action, autoescape=True))
        if self.citizen:
            try:
                query = query.where(t.citizen_id == uuid.UUID(self.citizen))
            except ValueError:
                query = query.where(sa.false())
        if self.start:
            query = query.where(t.at >= datetime.combine(self.start, time(), UTC))
        if self.end:
            query = query.where(t.at < datetime.combine(self.end + timedelta(days=1), time(), UTC))
        return query.order_by(t.id.desc())


def parse_search(args: Mapping[str, str]) -> Search:
    errors = []
    days: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = args.get(name, "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else None
            if days[name] == date.max:  # the search ends before the day after: there is none
                raise ValueError(raw)
        except ValueError:
            days[name] = None
            errors.append(name)
    return Search(actor=args.get("actor", "")[:120].strip(), action=args.get("action", "")[:40].strip(),
                  citizen=args.get("citizen", "")[:40].strip(), start=days["start"], end=days["end"],
                  errors=tuple(errors))


def _row(entry: RegistrarAuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": as_utc(entry.at).astimezone(UTC).isoformat(), "actor": entry.actor,
            "service_point": entry.service_point, "action": entry.action,
            "citizen_id": str(entry.citizen_id) if entry.citizen_id else None, "details": entry.details or {}}


@bp.get("/audit")
@operator_page
def index(actor: Actor) -> BaseResponse:
    search = parse_search(request.args)
    with get_db(current_app).read() as session:
        entries = [_row(e) for e in session.scalars(search.statement().limit(PAGE))]
    return render("operator/audit.html", 400 if search.errors else 200, actor=actor, search=search,
                  entries=entries, limit=PAGE, query=request.query_string.decode("ascii", "replace"))


def _cell(value: object) -> object:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else value
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@bp.get("/audit/export")
@operator_page
def export(actor: Actor) -> BaseResponse:
    search = parse_search(request.args)
    if search.errors:  # not the whole trail in place of the days asked for
        return Response(json.dumps({"error": "invalid_request", "error_description": f"{search.errors[0]}: a date "
                                    "like 2026-12-01 is expected; correct it and export again"}),
                        status=400, mimetype="application/json")
    fmt = "json" if request.args.get("format") == "json" else "csv"
    with get_db(current_app).transaction() as session:
        rows = [_row(e) for e in session.scalars(search.statement().limit(EXPORT_LIMIT))]
        services.record(session, actor=actor, action="audit.exported", now=now(),
                        details={"format": fmt, "rows": len(rows), "actor": search.actor,
                                 "action": search.action})
    if fmt == "json":
        response = Response(json.dumps(rows, ensure_ascii=False, indent=1), mimetype="application/json")
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["id", "at", "actor", "service_point", "action", "citizen_id",
                                                 "details"], lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="operator-audit.{fmt}"'
    return response
