"""Console: the operator audit trail (registrar and operator actions), searchable by actor,
action, citizen and dates, exportable as CSV or JSON (the export itself is recorded)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from werkzeug.wrappers import Response as BaseResponse

from idp.operator import services
from idp.operator.guard import now, operator_page, render
from idp.registrar.models import RegistrarAuditEntry
from idp.registrar.services import Actor
from infra.db import Database, get_db
from infra.utc import as_utc

bp = Blueprint("operator_audit", __name__, url_prefix="/operator")
PAGE = 100
EXPORT_BATCH = 1000
"""The export reads the trail this many entries at a time and sends each batch as it is read:
every matching entry, however long the trail, without holding it all in memory."""
FILTERS = ("actor", "action", "citizen", "start", "end")


@dataclass(frozen=True)
class Search:
    actor: str = ""
    action: str = ""
    citizen: str = ""
    start: date | None = None
    end: date | None = None
    before: int | None = None
    """Keyset paging: only entries older than this id (the last one of the page before)."""
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
        if self.before is not None:
            query = query.where(t.id < self.before)
        return query.order_by(t.id.desc())

    def filters(self, args: Mapping[str, str]) -> str:
        """The search as a query string, without the page mark (the export and the next page
        start from it)."""
        return urlencode([(name, args[name]) for name in FILTERS if args.get(name)])


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
                  before=_page_mark(args.get("before", "")), errors=tuple(errors))


def _page_mark(raw: str) -> int | None:
    """The id a page of older entries starts below; anything else (a hand-edited link) is the
    newest page."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _row(entry: RegistrarAuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": as_utc(entry.at).astimezone(UTC).isoformat(), "actor": entry.actor,
            "service_point": entry.service_point, "action": entry.action,
            "citizen_id": str(entry.citizen_id) if entry.citizen_id else None, "details": entry.details or {}}


@bp.get("/audit")
@operator_page
def index(actor: Actor) -> BaseResponse:
    search = parse_search(request.args)
    with get_db(current_app).read() as session:
        entries = [_row(e) for e in session.scalars(search.statement().limit(PAGE + 1))]
    query = search.filters(request.args)
    older = None
    if len(entries) > PAGE:  # one more than a page: there are older entries, linked by keyset
        entries = entries[:PAGE]
        older = f"/operator/audit?{query}{'&' if query else ''}before={entries[-1]['id']}"
    return render("operator/audit.html", 400 if search.errors else 200, actor=actor, search=search,
                  entries=entries, limit=PAGE, query=query, older=older)


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
    search = dataclasses.replace(search, before=None)  # the export holds every matching entry
    t = RegistrarAuditEntry
    db = get_db(current_app)
    with db.transaction() as session:
        # The trail as it is now (not the entry recording this export, nor later ones), counted
        # in the same transaction that records the export.
        newest = session.scalar(sa.select(sa.func.max(t.id))) or 0
        bounded = search.statement().where(t.id <= newest)
        rows = session.scalar(sa.select(sa.func.count()).select_from(bounded.order_by(None).subquery())) or 0
        services.record(session, actor=actor, action="audit.exported", now=now(),
                        details={"format": fmt, "rows": rows, "actor": search.actor,
                                 "action": search.action})
    entries = _entries(db, dataclasses.replace(search, before=newest + 1))
    body = _json_lines(entries) if fmt == "json" else _csv_lines(entries)
    response = Response(body, mimetype="application/json" if fmt == "json" else "text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="operator-audit.{fmt}"'
    return response


def _entries(db: Database, search: Search) -> Iterator[dict[str, Any]]:
    """Every entry the search matches, newest first, read a batch at a time (a short read
    transaction each, none held open while the download goes out)."""
    while True:
        with db.read() as session:
            batch = [_row(e) for e in session.scalars(search.statement().limit(EXPORT_BATCH))]
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        search = dataclasses.replace(search, before=batch[-1]["id"])


def _json_lines(entries: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in entries:
        yield separator + json.dumps(row, ensure_ascii=False, indent=1)
        separator = ",\n"
    yield "\n]\n"


def _csv_lines(entries: Iterator[dict[str, Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "at", "actor", "service_point", "action", "citizen_id",
                                             "details"], lineterminator="\r\n")
    writer.writeheader()
    for row in entries:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
