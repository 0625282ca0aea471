"""CORS of the public read-only API routes: one home for their headers.

A route marked `public_read` (the templates list, /openapi.json, a verification code's
look-up) is public data that a page of any site may read in the browser: any origin, no
credentials (no cookie is read), and a simple GET needs no preflight (Fetch standard, CORS).
Its every GET answer carries these headers, its errors included (a 429 and its Retry-After, a
503), or a portal's page could not read why it was refused nor when to ask again; no other
route gets them (`infra.web.errors` applies them to every answer through `readable_anywhere`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, current_app, request

PUBLIC_READ = {"Access-Control-Allow-Origin": "*",
               "Access-Control-Expose-Headers": "Retry-After, RateLimit, RateLimit-Policy"}

_MARK = "cedula_public_read"
_READS = ("GET", "HEAD")

View = TypeVar("View", bound=Callable[..., object])


def public_read(view: View) -> View:
    """Mark `view` (below its route decorator) as a public read any origin may make."""
    setattr(view, _MARK, True)
    return view


def is_public_read() -> bool:
    """This request is a GET (or HEAD) of a route marked `public_read`."""
    if request.method not in _READS or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, _MARK, False))


def readable_anywhere(response: Response) -> Response:
    """`response` with the public read's CORS headers when this request is one; else unchanged."""
    if is_public_read():
        response.headers.update(PUBLIC_READ)
    return response
