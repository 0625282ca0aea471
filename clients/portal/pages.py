"""What a real portal does beyond sign-in: a service that needs level substantial (step-up with
`acr_values`, OIDC Core 3.1.2.1) and the citizen's documents through the documents API."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from clients.portal.claims import ACR_SUBSTANTIAL, describe, level_rank, moment_text
from clients.portal.component import current_session, get_portal
from clients.portal.documents import IssueError, document_metadata, document_pdf
from clients.portal.texts import language
from infra.i18n import UnknownZone, zone

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)

SUBSTANTIAL = 2
# What the register holds about the citizen, shown once the level is reached.
REGISTER_CLAIMS = ("given_name", "family_name", "birthdate", "national_id")


# The device's time zone (an IANA name), set by static/timezone.js as Cédula's pages do.
TZ_COOKIE = "tz"


def reader_zone() -> tuple[tzinfo, bool]:
    """The zone to write times in, and whether an offset must follow (not the device's own)."""
    name = request.cookies.get(TZ_COOKIE)
    if name:
        try:
            return zone(name), False
        except UnknownZone:
            pass  # a stale or forged cookie: the portal's zone, with the offset shown
    return zone(get_portal().config.timezone), True


def _describe(claims: dict[str, Any]) -> list:
    time_zone, offset = reader_zone()
    return describe(claims, language(), time_zone, offset=offset)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"describe_claims": _describe, "issuer": get_portal().config.issuer}


def _api_arguments() -> dict[str, Any]:
    portal = get_portal()
    return {"config": portal.config, "metadata": portal.provider.load_server_metadata(),
            "client_auth": portal.client_auth, "fapi": portal.fapi}


@bp.get("/level")
def level() -> str:
    """Only for level substantial or above, as the ID token's `acr` says; else the way up."""
    current = current_session()
    notice = request.args.get("notice") if request.args.get("notice") == "unmet" else None
    granted = current is not None and level_rank(current.claims) >= SUBSTANTIAL
    rows = []
    if current is not None:
        rows = describe({k: v for k, v in current.claims.items() if k in (*REGISTER_CLAIMS, "acr")}, language())
    return render_template("portal/level.html", current=current, granted=granted, notice=notice,
                           rows=rows if granted else [r for r in rows if r.key == "acr"],
                           acr=ACR_SUBSTANTIAL)


def _issued_on(value: str | None) -> str:
    if not value:
        return ""
    time_zone, offset = reader_zone()
    try:
        return moment_text(datetime.fromisoformat(value.replace("Z", "+00:00")), language(), time_zone, offset=offset)
    except ValueError:
        return value


@bp.get("/documents")
def documents() -> WerkzeugResponse | tuple[str, int]:
    """The documents this agency issued for the signed-in citizen, with their current status."""
    current = current_session()
    if current is None:
        return redirect("/", code=303)
    listed, unavailable = [], False
    if get_portal().config.can_issue_documents and current.issued:
        try:
            listed = document_metadata(**_api_arguments(), document_ids=[d.id for d in current.issued])
        except IssueError as exc:
            log.warning("documents not listed: %s", exc)
            unavailable = True
    for item in listed:
        item["issued_on"] = _issued_on(item.get("issued_at"))
        # The title in the reader's language (`titles`, by language tag), else as printed.
        item["title"] = (item.get("titles") or {}).get(language()) or item.get("title")
    return render_template("portal/documents.html", current=current, documents=listed,
                           unavailable=unavailable), (503 if unavailable else 200)


@bp.get("/documents/<document_id>.pdf")
def document_download(document_id: str) -> Response:
    """Only a document issued to this citizen in this portal session: never another's by id."""
    current = current_session()
    if current is None or document_id not in {d.id for d in current.issued}:
        abort(404)
    try:
        pdf = document_pdf(**_api_arguments(), document_id=document_id)
    except IssueError as exc:
        log.warning("document PDF not fetched: %s", exc)
        response = Response("The document cannot be fetched just now; try again in a few minutes.",
                            status=503, mimetype="text/plain")
        response.headers["Retry-After"] = "30"
        return response
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{document_id}.pdf"'})
