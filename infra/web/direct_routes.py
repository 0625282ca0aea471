"""Direct routes: a few hot endpoints answered without Flask's request machinery.

A component registers `(method, path) -> (endpoint, handler)` with `route(app, ...)`; the
application (`infra.web.application.CedulaFlask.wsgi_app`) asks `dispatch` first, and whatever
is not registered (another path, another method such as HEAD or OPTIONS, a body without a
declared length) goes to Flask exactly as before. The Flask route stays registered too
(`url_for`, the OpenAPI document, `app.url_map` and OPTIONS keep working); only the dispatch of
the registered methods bypasses it. The WSGI middlewares around the app (the security
headers, the proxy fix) see both paths alike.

A direct request runs in an application context (`current_app`, `g` and every component slot
work) with a `DirectRequest` built from the environ, and its handler returns a
`DirectResponse` (status, headers, body bytes). What Flask's hooks give every request is given
by the same functions on both paths: a component registers a start hook with `on_start` (the
request id and clock, the body-size and NUL checks, the first request's background tasks) and
a finish hook with `on_finish` (the X-Request-Id and node headers, the access log line, the
request metrics, the error indicators), and calls the same function from its Flask hook.
Start hooks run in registration order, finish hooks in reverse (as Flask runs its
before- and after-request hooks). The CSRF cookie hook has nothing to do here: it sets a
cookie only after a page rendered a form.

A handler may decline a request it cannot answer alone (`None` instead of a response): the
request then goes to Flask exactly as if no direct route existed, in a new application context
(nothing of the direct attempt's `g` remains), with the environ as the server gave it. A
handler declines only before it has done anything with an effect (written, issued, counted),
and never after reading the body (that is a programming error, answered as a 500); what it
read on the way (a cache filled, a session's idle clock refreshed) must leave the state as the
Flask path's reading it again would. The start hooks have run by then and Flask runs its own
again: they must be harmless to repeat (they are: the request id and clock start over, the
input checks read, the background tasks start once).

A handler reads the request through `DirectRequest` only (its query, headers, cookies, body
and form), never through `flask.request`: code shared with a view takes those values as
arguments (`idp.sessions.session_from_cookies`, for instance).

Any exception, from a start hook or the handler, is answered by Flask's own error handling
(`infra.web.errors`: 4xx JSON, 503 with Retry-After, a 500 without internals) in a request
context pushed for it then, with Flask's after-request hooks: a refusal is the same answer on
both paths, byte for byte. An exception from a finish hook goes to Flask's `handle_exception`,
as it would from an after-request hook.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qsl, unquote

from flask import Flask, current_app
from flask.ctx import AppContext
from flask.globals import _cv_app
from flask.signals import appcontext_popped, appcontext_pushed, appcontext_tearing_down
from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.sansio.http import parse_cookie
from werkzeug.sansio.utils import get_content_length
from werkzeug.utils import get_content_type
from werkzeug.wsgi import LimitedStream

from infra.components import Slot

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Header = tuple[str, str]


class HeaderSink(Protocol):
    """Where a finish hook sets a response header (werkzeug's `Headers`, or `DirectHeaders`)."""

    def __setitem__(self, name: str, value: str) -> None: ...


class Exchange(Protocol):
    """What the shared hooks read of a request: Flask's `Request` and `DirectRequest` alike."""

    @property
    def environ(self) -> WSGIEnvironment: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def endpoint(self) -> str | None: ...
    @property
    def remote_addr(self) -> str | None: ...
    @property
    def view_args(self) -> dict[str, object] | None: ...


class DirectHeaders:
    """A response's headers in order; setting a name replaces its earlier value (as werkzeug's)."""

    __slots__ = ("_names", "items")

    def __init__(self, items: Iterable[Header] = ()) -> None:
        self.items: list[Header] = list(items)
        self._names = {name.lower() for name, _value in self.items}

    @classmethod
    def of(cls, items: list[Header], names: set[str]) -> DirectHeaders:
        """Headers already in order with no name twice, and their lower-cased names (taken, not
        copied)."""
        headers = cls.__new__(cls)
        headers.items = items
        headers._names = names
        return headers

    def __setitem__(self, name: str, value: str) -> None:
        lower = name.lower()
        if lower not in self._names:
            self._names.add(lower)
            self.items.append((name, value))
            return
        for index, (key, _value) in enumerate(self.items):
            if key.lower() == lower:
                self.items[index] = (key, value)
                self.items[index + 1:] = [item for item in self.items[index + 1:] if item[0].lower() != lower]
                return
        self.items.append((name, value))

    def update(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self[name] = value


@dataclass
class DirectResponse:
    status: int
    headers: DirectHeaders
    body: bytes


@lru_cache(maxsize=8)
def _content_type(mimetype: str) -> str:
    return get_content_type(mimetype, "utf-8")


@lru_cache(maxsize=64)
def _mimetype(content_type: str) -> str:
    return parse_options_header(content_type)[0].lower()  # as werkzeug's `Request.mimetype`


def _status_line(status: int) -> str:
    return f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN').upper()}"  # as werkzeug writes it


_STATUS_LINES = {status: _status_line(status) for status in HTTP_STATUS_CODES}


def declared_length(environ: WSGIEnvironment) -> int | None:
    """werkzeug's `get_content_length(environ)` (`Request.content_length`): None without a
    length or with a chunked body, 0 for a length that is not a number; a plain length of
    ASCII digits without a Transfer-Encoding is read without werkzeug's header parsing and
    regular expression (issue 16)."""
    declared = environ.get("CONTENT_LENGTH")
    if (declared is not None and len(declared) < 19 and declared.isdigit() and declared.isascii()
            and "HTTP_TRANSFER_ENCODING" not in environ):
        return int(declared)  # (not a length `int` refuses: werkzeug reads those as 0)
    return get_content_length(declared, environ.get("HTTP_TRANSFER_ENCODING"))


def _read_body(environ: WSGIEnvironment, limit: int | None) -> bytes:
    """`get_input_stream(environ, max_content_length=limit).read()`, as werkzeug reads a body,
    with the declared length read once by `declared_length`, and the usual bodies read as its
    `LimitedStream.readall` reads them (the same reads, errors and end) without its 64 KiB
    buffer per read (`_read_up_to`)."""
    stream = environ["wsgi.input"]
    length = declared_length(environ)
    if length is not None and limit is not None and length > limit:
        raise RequestEntityTooLarge()
    if "wsgi.input_terminated" in environ:
        if limit is None:
            return cast(bytes, stream.read())
        if limit > 0:
            return _read_up_to(stream, limit, at_most=True)  # `LimitedStream(stream, limit, is_max=True)`
        return cast(bytes, LimitedStream(stream, limit, is_max=True).read())
    if length is None:
        return b""  # werkzeug's empty stream
    return _read_up_to(stream, length, at_most=False)  # `LimitedStream(stream, length)`


_CHUNK = 1024 * 64  # `LimitedStream.readall`'s reads


def _read_up_to(stream: Any, limit: int, *, at_most: bool) -> bytes:
    """`LimitedStream(stream, limit, is_max=at_most).read()` for `limit` > 0 or a declared
    length: reads of at most 64 KiB until `limit` bytes came; a read that fails is
    ClientDisconnected, and so is an empty one before the declared length (a maximum: the end)."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        try:
            data = stream.read(min(_CHUNK, remaining))
        except (OSError, ValueError):
            raise ClientDisconnected() from None
        if not data:
            if at_most:
                break
            raise ClientDisconnected()
        data = bytes(data[:remaining])
        chunks.append(data)
        remaining -= len(data)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_form(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")`, as werkzeug
    parses a form: the same fields, with `+` and `unquote` applied only to the parts that hold
    a `+` or a `%` (`unquote` gives the others back as they are; issue 16)."""
    fields: list[tuple[str, str]] = []
    for pair in text.split("&"):
        if not pair:
            continue
        name, _equals, value = pair.partition("=")  # no "=": a blank value, as keep_blank_values
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, errors="werkzeug.url_quote")
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, errors="werkzeug.url_quote")
        fields.append((name, value))
    return fields


class DirectRequest:
    """The request of a direct route: read from the environ as werkzeug's `Request` reads it."""

    __slots__ = ("_form", "_routes", "app", "endpoint", "environ", "method", "path", "read_body")

    view_args: dict[str, object] | None = None

    def __init__(self, environ: WSGIEnvironment, method: str, path: str, endpoint: str,
                 routes: DirectRoutes | None = None, app: Flask | None = None) -> None:
        self.app = app  # the app answering (`dispatch` passes it), for `json_response`
        self.environ = environ
        self.method = method
        self.path = path
        self.endpoint: str | None = endpoint
        self._form: list[tuple[str, str]] | None = None
        self._routes = routes  # the app's (`dispatch` passes them; else looked up when needed)
        self.read_body = False  # a handler that read the body can no longer decline

    def _direct_routes(self) -> DirectRoutes:
        return self._routes if self._routes is not None else ROUTES.of()

    @property
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")

    @property
    def query_string(self) -> str:
        return str(self.environ.get("QUERY_STRING", ""))

    def args(self) -> list[tuple[str, str]]:
        """The query's parameters in order, as werkzeug parses `Request.args` (undecodable
        escapes stay percent-encoded; bytes that are not UTF-8 raise, as there)."""
        query = self.query_string
        if not query:
            return []
        return parse_qsl(query.encode("latin1").decode(), keep_blank_values=True, errors="werkzeug.url_quote")

    def cookies(self) -> Mapping[str, str]:
        """The request's cookies, as werkzeug parses `Request.cookies` (the first of a name): the
        header's latin-1 text as the server gave it, not decoded again as UTF-8 (that is what
        `werkzeug.http.parse_cookie(environ)` would do, and a byte that is not UTF-8 raised)."""
        return parse_cookie(self.environ.get("HTTP_COOKIE"))

    def header(self, name: str) -> str | None:
        """The header `name` as the WSGI server gave it (None: absent)."""
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        return self.environ.get(key)

    @property
    def mimetype(self) -> str:
        content_type = self.environ.get("CONTENT_TYPE", "")
        return _mimetype(content_type) if content_type else ""

    def body(self) -> bytes:
        """The body, read as werkzeug reads `Request.stream` (`get_input_stream`, with the
        route's body limit as Flask's `max_content_length`: a client that sends less than it
        declared is a 400, as there)."""
        limit = self._direct_routes().body_limit(self.endpoint)
        self.read_body = True
        return _read_body(self.environ, limit)

    def form(self) -> list[tuple[str, str]]:
        """An application/x-www-form-urlencoded body's fields in order (as werkzeug parses it:
        undecodable bytes are `UndecodableForm`), checked by the app's `form_checks` (NULs)."""
        if self._form is None:
            fields: list[tuple[str, str]] = []
            if self.mimetype == "application/x-www-form-urlencoded":
                try:
                    text = self.body().decode()
                except UnicodeDecodeError:
                    raise UndecodableForm() from None
                fields = parse_form(text)
            for check in self._direct_routes().form_checks:
                check(fields)
            self._form = fields
        return self._form


class UndecodableForm(BadRequest):
    """A form body that is not UTF-8 (whatever its charset parameter): werkzeug's parser gives
    no fields for it, which read as a request missing every parameter."""

    description = ("The body must be application/x-www-form-urlencoded in UTF-8 "
                   "(RFC 6749 appendix B); it is not UTF-8.")


#: A direct route's handler: its answer, or None to decline (Flask answers; module docstring).
Handler = Callable[[DirectRequest], DirectResponse | None]
StartHook = Callable[[Exchange], None]
FinishHook = Callable[[Exchange, int, HeaderSink], None]
FormCheck = Callable[[list[tuple[str, str]]], None]


@dataclass
class DirectRoutes:
    """An app's direct routes and the hooks every direct request gets (module docstring)."""

    routes: dict[tuple[str, str], tuple[str, Handler]] = field(default_factory=dict)
    start_hooks: list[StartHook] = field(default_factory=list)
    finish_hooks: list[FinishHook] = field(default_factory=list)
    form_checks: list[FormCheck] = field(default_factory=list)
    #: The most bytes a route's body may have (`infra.web.inputs` sets its limits; None: any).
    body_limit: Callable[[str | None], int | None] = lambda _endpoint: None
    enabled: bool = True  # off: every request goes to Flask (the parity tests' reference)


ROUTES: Slot[DirectRoutes] = Slot("direct routes")


def json_response(status: int, body: Any, headers: Mapping[str, str], app: Flask | None = None,
                  verbatim: Collection[str] = ()) -> DirectResponse:
    """What `jsonify(body)` with `status` and `headers` set on it answers (the app's JSON
    provider writes the body; `infra.web.application.CedulaJSONProvider.body`). `app`: the
    current app when the caller has it (`DirectRequest.app`), else read through `current_app`.
    `verbatim`: members of `body` whose strings need no escaping (`CedulaJSONProvider.body`)."""
    provider = (app if app is not None else current_app).json
    writer = getattr(provider, "body", None)
    data: bytes = ((writer(body, verbatim) if verbatim else writer(body)) if writer is not None
                   else cast(Any, provider.response(body)).get_data())
    items = [("Content-Type", _content_type(str(getattr(provider, "mimetype", "application/json")))),
             ("Content-Length", str(len(data)))]
    names = {"content-type", "content-length"}
    sent: DirectHeaders | None = None
    for name, value in headers.items():
        if sent is None:
            lower = name.lower()
            if lower not in names:  # a new name (the usual case): appended, as `__setitem__` does
                names.add(lower)
                items.append((name, value))
                continue
            sent = DirectHeaders.of(items, names)
        sent[name] = value
    return DirectResponse(status, sent if sent is not None else DirectHeaders.of(items, names), data)


_EXTENSION = "cedula.direct_routes"  # the same object as the slot's, found in one look-up per request


def installed(app: Flask) -> DirectRoutes | None:
    """The app's direct routes, if any component registered one."""
    found: DirectRoutes | None = app.extensions.get(_EXTENSION)
    return found


def routes_of(app: Flask) -> DirectRoutes:
    """The app's direct routes (installed with the first registration)."""
    if ROUTES.installed(app):
        return ROUTES.of(app)
    app.extensions[_EXTENSION] = routes = ROUTES.install(app, DirectRoutes())
    return routes


def route(app: Flask, method: str, path: str, endpoint: str, handler: Handler) -> None:
    """Answer `method path` with `handler` (or let Flask answer what it declines); `endpoint` is
    the Flask route's (the metrics label)."""
    routes_of(app).routes[(method, path)] = (endpoint, handler)


def on_start(app: Flask, hook: StartHook) -> None:
    routes_of(app).start_hooks.append(hook)


def on_finish(app: Flask, hook: FinishHook) -> None:
    routes_of(app).finish_hooks.append(hook)


def check_forms(app: Flask, check: FormCheck) -> None:
    routes_of(app).form_checks.append(check)


def remove_start(app: Flask, hook: StartHook) -> None:
    """Take `hook` out (a new list: another thread may be iterating the old one)."""
    direct = routes_of(app)
    direct.start_hooks = [each for each in direct.start_hooks if each is not hook]


def dispatch(app: Flask, direct: DirectRoutes, environ: WSGIEnvironment,
             start_response: StartResponse) -> Iterable[bytes] | None:
    """The answer of a direct route, or None: not one, or its handler declined (Flask answers)."""
    path = "/" + environ.get("PATH_INFO", "").lstrip("/")  # as `request.path` reads it
    method = environ.get("REQUEST_METHOD", "GET").upper()
    found = direct.routes.get((method, path))
    if found is None or not direct.enabled:
        return None
    length = environ.get("CONTENT_LENGTH")
    if method == "POST" and not (length and length.isascii() and length.isdigit()):
        return None  # a chunked body (or none): Flask's stream handling decides
    asked = DirectRequest(environ, method, path, found[0], direct, app)
    context = _push_app_context(app)
    failure: BaseException | None = None
    try:
        try:
            for start in direct.start_hooks:
                start(asked)
            response = found[1](asked)
            if response is None and asked.read_body:
                raise RuntimeError(f"the direct route {found[0]} declined after reading the body")
        except Exception as exc:
            return _flask_answer(app, environ, start_response, exc, handled=False)
        if response is None:
            return None  # declined: Flask answers, in its own contexts
        try:
            for finish in reversed(direct.finish_hooks):
                finish(asked, response.status, response.headers)
        except Exception as exc:
            return _flask_answer(app, environ, start_response, exc, handled=True)
        status = _STATUS_LINES.get(response.status) or _status_line(response.status)
        start_response(status, response.headers.items)
        return [response.body]
    except BaseException as exc:
        failure = exc
        raise
    finally:
        _pop_app_context(app, context, failure)


def _push_app_context(app: Flask) -> AppContext:
    """`app.app_context().push()`: the same context (its own `g`), each signal sent only when
    something listens to it (an empty `send` is a dozen calls per request; issue 16)."""
    context = AppContext(app)
    context._cv_tokens.append(_cv_app.set(context))
    if appcontext_pushed.receivers:
        appcontext_pushed.send(app, _async_wrapper=app.ensure_sync)
    return context


def _pop_app_context(app: Flask, context: AppContext, exc: BaseException | None) -> None:
    """`context.pop(exc)` (as the `with` block's exit calls it): the teardown_appcontext
    functions, then the context's reset; each signal sent only when something listens."""
    try:
        if len(context._cv_tokens) == 1:
            for func in reversed(app.teardown_appcontext_funcs):
                app.ensure_sync(func)(exc)
            if appcontext_tearing_down.receivers:
                appcontext_tearing_down.send(app, _async_wrapper=app.ensure_sync, exc=exc)
    finally:
        current = _cv_app.get()
        _cv_app.reset(context._cv_tokens.pop())
    if current is not context:
        raise AssertionError(f"Popped wrong app context. ({current!r} instead of {context!r})")
    if appcontext_popped.receivers:
        appcontext_popped.send(app, _async_wrapper=app.ensure_sync)


def _flask_answer(app: Flask, environ: WSGIEnvironment, start_response: StartResponse,
                  exc: Exception, *, handled: bool) -> Iterable[bytes]:
    """Flask's answer to `exc` (a request context in the current app context, so `g` is the
    direct request's): from a start hook or the handler as `full_dispatch_request` answers
    it (the error handler, then the after-request hooks); from a finish hook as `wsgi_app`
    answers an after-request hook's."""
    ctx = app.request_context(environ)
    error: BaseException | None = None
    try:
        ctx.push()
        try:
            if handled:
                response = app.handle_exception(exc)
            else:
                response = app.finalize_request(app.handle_user_exception(exc))
        except Exception as again:
            error = again
            response = app.handle_exception(again)
        return response(environ, start_response)
    finally:
        ctx.pop(error)
