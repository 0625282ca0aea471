"""What no view should have to read: oversized bodies and characters no field accepts.

Every request whose declared Content-Length exceeds its route's limit gets 413 before any view
runs (so an early refusal, such as a login redirect, never hides it). The limit is
`[server] max_body_bytes`, or what a component registered for its endpoint in
`allow_larger_body` (uploads of PDFs); bodies without a length are cut at
the same limit as they are read. An upload form may name its own answer to a file past its
limit (`allow_larger_body(..., page=...)`: the form again, its file field saying what to do),
which a browser gets instead of the generic 413 page (`infra.web.errors`).

U+0000 is never part of an identifier, a name, a code or a token, and PostgreSQL text cannot
hold it (a lookup would fail with a server error): a NUL in the path, the query string or a
form field gets 400 `invalid_request`, and so does a form body that is not UTF-8. The path and
query are checked before every request; form fields when the form is parsed (lazily, so a view's
own body limit still applies first).
JSON bodies are checked by `infra.web.jsonapi.json_body`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request, Response, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from infra.components import Slot
from infra.web import direct_routes

NUL = "\x00"
BODY_LIMITS: Slot[dict[str, int]] = Slot("body limits")  # endpoint -> bytes
OVERSIZED_PAGES: Slot[dict[str, Callable[[], Response | None]]] = Slot("oversized upload pages")  # endpoint -> page


class NulCharacter(BadRequest):
    description = "The request contains a NUL character (U+0000), which no field accepts."


class UndecodableQuery(BadRequest):
    description = "The query string is not UTF-8."


def _holds_nul(values: MultiDict[str, Any]) -> bool:
    return _pairs_hold_nul(values.items(multi=True))


def _pairs_hold_nul(pairs: Iterable[tuple[Any, Any]]) -> bool:
    # A multipart part may come without a name (werkzeug keys it None): nothing to check there.
    for name, value in pairs:  # a loop, not any() over a generator: every form is checked (issue 16)
        if (isinstance(name, str) and NUL in name) or (isinstance(value, str) and NUL in value):
            return True
    return False


def refuse_nul_fields(fields: Iterable[tuple[str, str]]) -> None:
    """400 if a parsed form field (name or value) holds U+0000."""
    if _pairs_hold_nul(fields):
        raise NulCharacter()


class _FormParser(FormDataParser):
    """werkzeug's, refusing a form body that is not UTF-8 (it gave an empty form: a token
    request with a latin-1 charset read as one without grant_type) as the direct routes do."""

    def _parse_urlencoded(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._parse_urlencoded(*args, **kwargs)
        except UnicodeDecodeError:
            raise direct_routes.UndecodableForm() from None


# endpoint -> its blueprint's names upwards (endpoints are the URL map's: a bounded set).
_BLUEPRINTS: dict[str, list[str]] = {}


class CedulaRequest(Request):
    """Flask's request, whose form refuses NUL characters once parsed, and a body not in UTF-8."""

    form_data_parser_class = _FormParser

    @property
    def blueprints(self) -> list[str]:
        """Flask's, remembered per endpoint: Flask asks three times a request (before- and
        after-request hooks, teardown), and works it out from the endpoint each time."""
        rule = self.url_rule
        if rule is None:
            return []
        found = _BLUEPRINTS.get(rule.endpoint)
        if found is None:
            found = _BLUEPRINTS[rule.endpoint] = super().blueprints
        return found

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if _holds_nul(self.form):
            raise NulCharacter()


def allow_larger_body(app: Flask, endpoint: str, limit: int, *,
                      page: Callable[[], Response | None] | None = None) -> None:
    """Let `endpoint` take bodies up to `limit` bytes (above `[server] max_body_bytes`);
    `page`: the upload form's answer to a larger one, for browsers (status 413; None: the
    generic 413 page, e.g. for a visitor the form is not for)."""
    BODY_LIMITS.of(app)[endpoint] = limit
    if page is not None:
        OVERSIZED_PAGES.of(app)[endpoint] = page


def refuse_oversized(asked: Request) -> None:
    """413 if the body is larger than its route accepts (RFC 9110, 15.5.14)."""
    limit = _refuse_oversized_in(asked.environ, asked.endpoint)
    if limit is not None:
        asked.max_content_length = limit


def _refuse_oversized_in(environ: Any, endpoint: str | None) -> int | None:
    """413 if the declared length of `environ`'s body exceeds `endpoint`'s limit; that limit."""
    limit = BODY_LIMITS.of().get(endpoint or "")
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        return limit  # no declared length (a GET, or a chunked body: cut as it is read)
    length = direct_routes.declared_length(environ)  # `Request.content_length`
    if length is not None and length > (limit or current_app.config["MAX_CONTENT_LENGTH"]):
        raise RequestEntityTooLarge()
    return limit


def refuse_nul(asked: Request) -> None:
    """400 if the path or a query parameter holds U+0000, or the query is not UTF-8 (werkzeug's
    `Request.args` would raise UnicodeDecodeError in every view that reads it: a 500)."""
    if NUL in asked.path:
        raise NulCharacter()
    if asked.query_string:
        try:
            args = asked.args
        except UnicodeDecodeError:
            raise UndecodableQuery() from None
        if _holds_nul(args):
            raise NulCharacter()


_ESCAPED_NUL = "%00"


def _refuse_nul_in(path: str, query: str) -> None:
    """`refuse_nul` for a direct request: `query` is the environ's QUERY_STRING, parsed as
    werkzeug parses `Request.args`."""
    if NUL in path:
        raise NulCharacter()
    if query:
        try:
            text = query.encode("latin1").decode()
        except UnicodeDecodeError:
            raise UndecodableQuery() from None
        # A parameter holds U+0000 only if the text does, as itself or escaped (`%00`: the parse
        # unescapes once, and an escape that is not UTF-8 stays escaped): without either, no
        # parse (the handler parses the query itself; a second parse was ~6% of an /authorize).
        if (NUL in text or _ESCAPED_NUL in text) and _pairs_hold_nul(
                parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")):
            raise NulCharacter()


def check_inputs() -> None:
    """Before every request (one hook, one look-up of the request): the body's size, then NULs."""
    asked = request._get_current_object()  # type: ignore[attr-defined]  # the request, not the proxy
    refuse_oversized(asked)
    refuse_nul(asked)


def check_direct_inputs(asked: direct_routes.Exchange) -> None:
    """`check_inputs` for a direct request (`infra.web.direct_routes`): the same checks."""
    environ = asked.environ
    _refuse_oversized_in(environ, asked.endpoint)
    _refuse_nul_in(asked.path, environ.get("QUERY_STRING", ""))


def init_app(app: Flask) -> None:
    BODY_LIMITS.install(app, {})
    OVERSIZED_PAGES.install(app, {})
    app.request_class = CedulaRequest
    app.before_request(check_inputs)
    direct_routes.on_start(app, check_direct_inputs)
    direct_routes.routes_of(app).body_limit = lambda endpoint: (  # as `Request.max_content_length`
        BODY_LIMITS.of(app).get(endpoint or "") or app.config["MAX_CONTENT_LENGTH"])
    direct_routes.check_forms(app, refuse_nul_fields)
