"""`GET /api/indicators`: an agency reads its own indicators, with the privacy floor.

Client credentials access token with scope `indicators:read` (RFC 6750 section 2.1 header).
The agency is the token's client: no parameter can name another one.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from idp.documents.api import request_url
from idp.indicators.export import FORMATS, as_csv, as_json
from idp.indicators.report import PeriodError, parse_period
from idp.indicators.services import report
from idp.indicators.settings import indicator_settings
from idp.oidc import client_credentials, protected
from idp.oidc.current import provider
from idp.oidc.errors import OidcError
from infra.db import get_db
from infra.indicators import today
from infra.ops.metrics import label_agency
from infra.store import get_store
from infra.web.errors import ApiError

bp = Blueprint("indicators_api", __name__)
bp.after_request(protected.offer_nonce)  # the DPoP nonce for the next proof (RFC 9449 section 9)
SCOPE = "indicators:read"
PARAMETERS = ("start", "end", "step", "format")


def _agency() -> str:
    """The calling agency, from its access token: Bearer (RFC 6750 section 2.1 and 3) or
    DPoP-bound with its proof (RFC 9449 section 7), like the documents API."""
    try:
        presented = protected.presented(provider(), request_url())
        with get_db(current_app).read() as session:
            agency = client_credentials.check(session, get_store(current_app), provider(),
                                              presented.token, scope=SCOPE, jkt=presented.jkt).client_id
    except OidcError as exc:
        description = exc.description
        if isinstance(exc, protected.MissingToken):
            description = (f"An access token with scope {SCOPE} is required (Authorization: Bearer ... "
                           "or DPoP ...), from the client credentials grant.")
        raise ApiError(protected.status_of(exc), exc.error, description,
                       headers=protected.challenge_headers(provider(), exc, scope=SCOPE)) from None
    label_agency(agency)
    return agency


@bp.get("/api/indicators")
def indicators() -> Response:
    """The calling agency's daily (weekly, monthly) counts for a period, floor applied."""
    agency = _agency()
    settings = indicator_settings()
    for name in request.args:
        if name not in PARAMETERS:
            raise ApiError(400, "invalid_request", f"{name}: not a parameter of this API; it takes "
                           f"{', '.join(PARAMETERS)} (each optional, at most once)")
    for name in PARAMETERS:
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, "invalid_request", f"{name}: given more than once; give it once")
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        raise ApiError(400, "invalid_request", "format: csv or json is expected")
    try:
        period = parse_period(start=request.args.get("start"), end=request.args.get("end"),
                              step=request.args.get("step"), today=today(), max_days=settings.max_days)
    except PeriodError as exc:
        raise ApiError(400, "invalid_request", exc.description) from None
    with get_db(current_app).read() as session:
        found = report(session, period, agency=agency)
    if fmt == "csv":
        response = Response(as_csv(found, floor=settings.privacy_floor), mimetype="text/csv")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="indicators-{period.start}-{period.end}.csv"')
    else:
        response = jsonify(as_json(found, floor=settings.privacy_floor))
    response.headers["Cache-Control"] = "no-store"
    return response


_COUNT = {"oneOf": [{"type": "integer", "minimum": 0},
                    {"type": "string", "description": "a count below the privacy floor, e.g. \"< 5\""}]}
OPENAPI_PATHS = {
    "/api/indicators": {"get": {
        "summary": "The calling agency's indicators (sign-ins by level and authenticator, consents, "
                   "tokens, documents, back-channel deliveries, funnels) per day, week or month; "
                   "counts below the privacy floor are given as \"< floor\". Client credentials "
                   "token with scope indicators:read.",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "start", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "first day (default: 29 days before end)"},
            {"name": "end", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "last day, included (default: today, UTC)"},
            {"name": "step", "in": "query", "schema": {"enum": ["day", "week", "month"]}},
            {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
        ],
        "responses": {
            "200": {"description": "the indicators", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Indicators"}},
                "text/csv": {"schema": {"type": "string"}}}},
            "400": {"description": "invalid_request: a bad period (at most [indicators] max_days, 400 "
                                   "by default) or format, a parameter given more than once, or one "
                                   "this API does not take (named)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "401": {"description": "missing, invalid or expired token",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "403": {"description": "insufficient_scope",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
}
OPENAPI_SCHEMAS = {
    "Indicators": {
        "type": "object",
        "required": ["agency", "start", "end", "step", "privacy_floor", "periods", "series"],
        "properties": {
            "agency": {"type": "string"},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "step": {"enum": ["day", "week", "month"]},
            "privacy_floor": {"type": "integer"},
            "periods": {"type": "array", "items": {"type": "string"},
                        "description": "2026-12-04, 2026-W49 or 2026-12"},
            "series": {"type": "array", "items": {
                "type": "object", "required": ["kind", "dimension", "values", "total"],
                "properties": {"kind": {"type": "string"}, "dimension": {"type": "string"},
                               "values": {"type": "array", "items": _COUNT}, "total": _COUNT}}},
        },
    },
}
