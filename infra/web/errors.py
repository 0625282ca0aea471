"""Every error is a clear 4xx (or a 5xx that hides internals): JSON for APIs, a page for people.

JSON errors have the OAuth 2.0 shape used across the product (RFC 6749, section 5.2):
`{"error": "<machine code>", "error_description": "<human sentence>"}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, jsonify, render_template, request
from markupsafe import escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException

from infra.components import Slot
from infra.config import get_settings
from infra.db import get_db, is_unavailable, newer_revisions, pending_heads
from infra.ops import outages
from infra.ops.logging import request_path
from infra.store.base import StoreError
from infra.web.cors import readable_anywhere
from infra.web.csrf import CsrfError
from infra.web.error_shape import CodedError
from infra.web.i18n import catalog, chosen_language, current_language, page_address, page_language
from infra.web.i18n import gettext as _
from infra.web.inputs import OVERSIZED_PAGES
from infra.web.ratelimit import RateLimited

log = logging.getLogger(__name__)

API_PREFIXES = ("/webauthn/", "/api/", "/oauth/", "/token", "/userinfo", "/introspect",
                "/revoke", "/register", "/pki/", "/jwks", "/par", "/.well-known/",
                # the wallet's JSON endpoints (its /wallet/authorize is a page)
                "/wallet/token", "/wallet/nonce", "/wallet/credential", "/wallet/notification",
                "/wallet/offers/", "/wallet/status/", "/wallet/types/", "/wallet/presentations/",
                # the operators' machine endpoints: a probe or a scraper reads no page
                "/healthz", "/readyz", "/metrics",
                # documents for programs: the data-sharing log's keys and checkpoint, the API's description
                "/audit/", "/openapi.json")

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_data",
    429: "too_many_requests",
    500: "server_error",
    503: "temporarily_unavailable",
}


Refinement = Callable[[Exception], "Response | None"]
REFINEMENTS: Slot[list[tuple[type[Exception], Refinement]]] = Slot("refinements of unexpected errors")


def refine_unexpected(app: Flask, kind: type[Exception], refinement: Refinement) -> None:
    """Before an error of `kind` that no handler of its own answers becomes a 500, ask
    `refinement`: its response if it recognises the error (a release refused by the database is
    a 400 of consent, `idp.consent`), None to let the 500 (or the outage's 503) stand. One home
    for unexpected errors: a package refines them here instead of registering a handler of its
    own for a library's exception class, which would shadow this module's handling of every
    other error of that class."""
    REFINEMENTS.of(app).append((kind, refinement))


class ApiError(CodedError):
    """Raised by views (never by services) to answer with a JSON error."""

    def __init__(self, status: int, error: str, description: str, *,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description, error=error, status=status)
        self.headers = headers or {}


def wants_json() -> bool:
    if request.path.startswith(API_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


API_LANGUAGE = "en"  # an API's error_description is for a developer: English unless asked otherwise


def api_language() -> str:
    """The language of an API's error_description: the one the caller asks for (the page's own,
    `X-Page-Language`, when the pages' scripts call; Accept-Language, or the citizen's own
    choice, the `lang` cookie), else English (the citizen pages' default, Spanish, is not a
    developer's)."""
    page = page_language()
    if page is not None:
        return page
    languages = catalog().languages
    chosen = chosen_language()
    if chosen in languages:
        return str(chosen)
    # RFC 9110 section 12.5.4: `*` is any language, no choice of one (Node's fetch sends it on
    # every request): only the tags a caller names choose, else the API's own.
    asked = LanguageAccept([(tag, q) for tag, q in request.accept_languages if tag != "*"]).best_match(languages)
    if asked is not None:
        return str(asked)
    return API_LANGUAGE if API_LANGUAGE in languages else languages[0]


def _said(key: str, lang: str, fallback: str | None = None, /, **params: object) -> str:
    """The message `key` (else `fallback`'s, else the key itself) in `lang`."""
    texts = catalog()
    text = texts.get(key, lang)
    if text is None and fallback is not None:
        text = texts.get(fallback, lang)
    if text is None:
        return key
    return text.format(**params) if params else text


def json_error(status: int, error: str, description: str,
               headers: dict[str, str] | None = None) -> Response:
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# Its <title> says it is a failure first, as error.html's does (WCAG 2.4.2); its way on is the
# same address again (a GET: the start page needs the same store and fails the same way while
# it is down), else the start page.
_PLAIN_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{prefix} {title}</title></head>
<body><main><h1>{title}</h1><p role="alert">{message}</p>
<p><a id="{link_id}" href="{href}">{link}</a></p></main></body></html>
"""


def error_page(status: int, title: str, message: str) -> Response:
    """The error page; a plain one when the page itself needs what failed (its layout asks the
    session store whether the visitor is signed in, which fails while Redis is down)."""
    try:
        body = render_template("error.html", status=status, title=title, message=message)
    except Exception as exc:
        log.warning("error page rendered plain", extra={"status": status, "error": str(exc)})
        again = request.method == "GET"
        href = page_address() if again else "/"
        body = _PLAIN_PAGE.format(lang=escape(current_language()), title=escape(title),
                                  prefix=escape(_("error.title_prefix")), message=escape(message),
                                  link_id="try-again" if again else "back-home", href=escape(href),
                                  link=escape(_("error.try_again" if again else "error.back_home")))
    return Response(body, status=status, mimetype="text/html")


def unavailable(retry_after: int = 30, *, message: str = "error.http.503") -> Response:
    """503 with Retry-After: a part the service needs is down (the operator is told in the log).

    `message` is the key of the sentence shown (it says what is unavailable, in plain words,
    and when to try again)."""
    return answer(503, "temporarily_unavailable", message, "error.title.503", {"Retry-After": str(retry_after)},
                  seconds=retry_after)


def answer(status: int, error: str, message: str, title: str, headers: dict[str, str] | None = None, *,
           fallback: str | None = None, title_fallback: str | None = None, **params: object) -> Response:
    """`respond` with catalog keys: the sentence `message` (else `fallback`) in the API's
    language (`api_language`) for JSON, in the page's (`current_language`) for a page."""
    if wants_json():
        return json_error(status, error, _said(message, api_language(), fallback, **params), headers)
    page = current_language()
    return respond(status, error, _said(message, page, fallback, **params),
                   _said(title, page, title_fallback), headers)


def respond(status: int, error: str, description: str, title: str,
             headers: dict[str, str] | None = None) -> Response:
    if wants_json():
        return json_error(status, error, description, headers)
    response = error_page(status, title, description)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _api_description(status: int, allowed: list[str] | None) -> str | None:
    """What a developer calling an API at an unknown address, with the wrong method or too large
    a body must change (the pages' sentences speak of buttons and files), in `api_language`."""
    lang = api_language()
    if status == 404:
        return _said("error.api.404", lang)
    if status == 405 and allowed:
        methods = sorted(method for method in allowed if method not in ("HEAD", "OPTIONS")) or allowed
        return _said("error.api.405", lang, methods=", ".join(methods))
    if status == 413:
        limit = request.max_content_length
        return _said("error.api.413", lang, limit=limit) if limit else None
    return None


def init_app(app: Flask) -> None:
    REFINEMENTS.install(app, [])
    # The public read-only routes' CORS on their every answer, the errors answered here included
    # (a 429's Retry-After, a 503), and on no other route's (infra/web/cors.py).
    app.after_request(readable_anywhere)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return json_error(exc.status, exc.error, exc.description, exc.headers)

    @app.errorhandler(CsrfError)
    def _csrf(exc: CsrfError) -> Response:
        return answer(400, "invalid_csrf_token", "error.csrf", "error.title.400")

    @app.errorhandler(RateLimited)
    def _rate_limited(exc: RateLimited) -> Response:
        # An API's caller is a developer's program: when to retry, not the citizen's sentence.
        message = "error.api.429" if wants_json() else "error.rate_limited"
        return answer(429, "too_many_requests", message, "error.title.429",
                      {"Retry-After": str(exc.retry_after)}, seconds=exc.retry_after)

    retry_after = get_settings(app).server.retry_after_seconds

    def _database_unavailable(exc: BaseException) -> Response:
        log.error("database unavailable: answering 503",
                  extra={"path": request_path(), "error": str(exc).splitlines()[0] if str(exc) else "",
                         "action": outages.DATABASE})
        return unavailable(retry_after, message="error.unavailable.database")

    def _schema_behind(exc: BaseException) -> Response | None:
        """503 when a statement failed because the database is not migrated to this version
        (a node started on a new release before `cedula db upgrade`: a table or column it
        does not have yet), not a 500 for each such request; None for any other error."""
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and current not in chain:
            chain.append(current)
            current = current.__cause__ or current.__context__
        if not any(isinstance(error, sa.exc.DBAPIError) for error in chain):
            return None
        try:
            pending = pending_heads(get_db())
            newer = newer_revisions(get_db()) if pending else set()
        except Exception:  # the database cannot even say its revision: the error as it was
            return None
        if not pending:
            return None
        log.error("database schema of a newer release: answering 503" if newer else
                  "database schema older than this version: answering 503",
                  extra={"path": request_path(), "error": str(exc).splitlines()[0] if str(exc) else "",
                         "action": outages.NEWER_SCHEMA if newer else outages.SCHEMA})
        return unavailable(retry_after, message="error.unavailable.database")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        # An error outside the view (an after_request hook, the session's save, another error
        # handler) reaches Flask's handle_exception, which passes an InternalServerError holding
        # it here, past the Exception handler below: an outage must still be a 503.
        original = getattr(exc, "original_exception", None)
        if isinstance(original, StoreError):
            return _store_unavailable(original)
        if original is not None and is_unavailable(original):
            return _database_unavailable(original)
        if original is not None and (behind := _schema_behind(original)) is not None:
            return behind
        if original is not None and (full := outages.storage_full(original)) is not None:
            return _storage_full(full)
        status = exc.code or 500
        # A status without a sentence of its own gets its class's (werkzeug's is English only).
        general = "500" if status >= 500 else "400"
        allowed = getattr(exc, "valid_methods", None) if status == 405 else None
        error = _HTTP_CODES.get(status, "error")
        if wants_json():
            description = (_api_description(status, allowed)
                           or _said(f"error.http.{status}", api_language(), f"error.http.{general}"))
            response = json_error(status, error, description)
        else:
            if status == 413 and (page := OVERSIZED_PAGES.of().get(request.endpoint or "")) is not None:
                form = page()  # the upload form again, its field saying what to do
                if form is not None:
                    return form
            response = answer(status, error, f"error.http.{status}", f"error.title.{status}",
                              fallback=f"error.http.{general}", title_fallback=f"error.title.{general}")
        if allowed:
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    def _storage_full(exc: OSError) -> Response:
        """A file system full (or read-only): the operator is told which and what to do, in one
        line without a traceback; the request is a 503 (its transaction rolled back)."""
        log.error("storage full: answering 503",
                  extra={"path": request_path(), "error": f"{exc.strerror}: {exc.filename or ''}".rstrip(": "),
                         "action": outages.STORAGE})
        return unavailable(retry_after, message="error.unavailable.storage")

    @app.errorhandler(StoreError)
    def _store_unavailable(exc: StoreError) -> Response:
        log.error("ephemeral store unavailable: answering 503",
                  extra={"path": request_path(), "error": str(exc), "action": outages.STORE})
        return unavailable(retry_after, message="error.unavailable.store")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        for kind, refinement in REFINEMENTS.of():
            if isinstance(exc, kind) and (refined := refinement(exc)) is not None:
                return refined
        if is_unavailable(exc):
            return _database_unavailable(exc)
        if (behind := _schema_behind(exc)) is not None:
            return behind
        if (full := outages.storage_full(exc)) is not None:
            return _storage_full(full)
        log.exception("unhandled error", extra={"path": request_path(), "method": request.method})
        return answer(500, "server_error", "error.http.500", "error.title.500")
