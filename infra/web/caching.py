"""`Cache-Control: no-store` on one answer (RFC 9111, section 5.2.2.5): a page or a JSON reply
that names a person, carries a one-time secret or depends on who is signed in is never kept by
a browser or a shared cache.

`infra.web.headers` already adds it to every HTML page and to everything under `/webauthn/` and
`/account`; a view marks the other answers it sends (JSON, redirects, empty replies) itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

import flask
from flask import jsonify
from werkzeug.wrappers import Response

R = TypeVar("R", bound=Response)

NO_STORE = "no-store"


def no_store(response: R) -> R:
    """`response`, which no cache may keep."""
    response.headers["Cache-Control"] = NO_STORE
    return response


def uncached_json(body: Any, status: int = 200) -> flask.Response:
    """A JSON answer no cache may keep, HTTP/1.0 ones included (`Pragma: no-cache`), as RFC 6749
    section 5.1 asks of a token response: tokens, client secrets (RFC 7591 section 3.2.1),
    pushed request URIs, introspection results."""
    response = no_store(jsonify(body))
    response.status_code = status
    response.headers["Pragma"] = "no-cache"
    return response


def no_content(status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    """An answer without content (RFC 7009 section 2.2's 200, an OPTIONS reply): no body and so
    no Content-Type (RFC 9110 section 8.3; a default text/html would tell an API's client it got
    a page), `Content-Length: 0` (none on a 204, RFC 9110 section 8.6)."""
    response = flask.current_app.response_class(status=status, headers=headers)
    del response.headers["Content-Type"]
    if status != 204:
        response.headers["Content-Length"] = "0"
    return response


__all__ = ["NO_STORE", "no_content", "no_store", "uncached_json"]
