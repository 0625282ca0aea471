"""Errors by kind: every 4xx/5xx answer of a known endpoint counted as `error` with the
dimension "<status>:<endpoint>" (a 404 for a path nobody serves is not counted: scanners
would only fill the table). A 503 is not written either: it answers "a part the service needs
(the database, Redis) is away", and waiting for the database to count it would only slow the
answer down; the metrics (`cedula_http_requests_total`) count it."""

from __future__ import annotations

from flask import Flask, Response, request

from infra.db import get_db
from infra.indicators import tally_apart
from infra.web import assets, direct_routes

# A file not found among the static ones is no error of the provider's.
STATIC = frozenset({"static", assets.ENDPOINT})


def dimension(status: int, endpoint: str) -> str:
    return f"{status}:{endpoint}"[:64]


def count_errors(app: Flask) -> None:
    def count(asked: direct_routes.Exchange, status: int, _headers: direct_routes.HeaderSink) -> None:
        endpoint = asked.endpoint
        if status >= 400 and status != 503 and endpoint and endpoint not in STATIC:
            tally_apart(get_db(app), "error", dimension=dimension(status, endpoint))

    @app.after_request
    def _count(response: Response) -> Response:
        count(request._get_current_object(), response.status_code, response.headers)  # type: ignore[attr-defined]
        return response

    direct_routes.on_finish(app, count)  # direct routes (infra.web.direct_routes): the same
