"""`/transparency`: the public page of what the service did for each agency in a month — how
many consents citizens gave it and for which kinds of data, documents it issued, and how often
they were verified — from the same daily counts, with the privacy floor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, render_template, request

from clients.registry.services import list_clients
from idp.indicators.report import Period, Report, Series, Shown, build, gives_away, lower_bound, public
from idp.indicators.settings import indicator_settings
from infra.db import get_db
from infra.deferred_counts import flush_pending
from infra.indicators import read, today
from infra.web.i18n import translate_or

bp = Blueprint("transparency", __name__)
KINDS = ("consent.given", "consent.data", "document.issued", "verification")


@dataclass(frozen=True)
class AgencyRow:
    client_id: str
    name: str
    consents: Shown
    data: list[tuple[str, Shown]]  # claim name, consents that included it
    documents: Shown
    verifications: Shown


def month_of(raw: str | None, now: date) -> date:
    """The first day of the month asked for (YYYY-MM), or of last month."""
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-", 1))
            first = date(year, month, 1)
            if date(1, 1, 31) < first <= now:  # the month before it exists too (the page links it)
                return first
        except ValueError:
            pass
    return (now.replace(day=1) - timedelta(days=1)).replace(day=1)


@bp.get("/transparency")
def page() -> Response:
    floor = indicator_settings().privacy_floor
    now = today()
    first = month_of(request.args.get("month"), now)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    period = Period(start=first, end=min(last, now), step="month")
    with get_db(current_app).read() as session:
        flush_pending(session.get_bind())  # this process's deferred counts, written first
        counts = read(session, start=period.start, end=period.end, kinds=KINDS)
        names = {c.client_id: str(c.client_metadata.get("client_name") or c.client_id)
                 for c in list_clients(session)}
    found = build(counts, period, kinds=KINDS)
    per_agency = {client_id: build(counts, period, agency=client_id, kinds=KINDS) for client_id in names}
    rows = []
    for client_id, agency in sorted(per_agency.items(), key=lambda item: names[item[0]].lower()):
        if not agency.series:
            continue

        def total(kind: str, source: Report = agency) -> Shown:
            return public(_sum(source, kind), floor).total

        data = [(translate_or(f"oidc.claim.{s.dimension}", s.dimension), public(s, floor).total)
                for s in agency.of("consent.data")]
        rows.append(AgencyRow(client_id=client_id, name=names[client_id], consents=total("consent.given"),
                              data=data, documents=total("document.issued"),
                              verifications=total("verification")))
    overall = {kind: public(_sum(found, kind), floor).total for kind in KINDS}
    # As `public` does for one series: the exact overall total minus the agencies shown would
    # give a hidden agency's count away (one hidden, or all hidden at the floor's edge: 4 + 4).
    for kind, column in (("consent.given", "consents"), ("document.issued", "documents"),
                         ("verification", "verifications")):
        values = [getattr(row, column) for row in rows]
        exact = _sum(found, kind).total
        if not isinstance(overall[kind], str) and gives_away(values, exact, floor):
            overall[kind] = lower_bound(values, floor)
    response = Response(render_template("indicators/transparency.html", rows=rows, overall=overall,
                                        month=first, floor=floor,
                                        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
                                        following=(last + timedelta(days=1)).strftime("%Y-%m")
                                        if last < now else None), mimetype="text/html")
    # Not cached: the page is in the language of the visitor's cookie.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _sum(found: Report, kind: str) -> Series:
    values = [sum(s.values[i] for s in found.of(kind)) for i in range(len(found.buckets))]
    return Series(kind=kind, dimension="", values=tuple(values))
