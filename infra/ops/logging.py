"""Structured logs: one JSON object a line (or, with `[logging] format = "text"`, one
`key=value` line), with the request id, never secrets. A record is one line whatever its values
hold (CWE-117): control characters and Unicode line separators are escaped in every field.

The access log masks the values of the URL parts named in `[logging] masked_path_parameters`
(by default `code`: a document's verification code is a bearer link to its PDF). A masked value
becomes `[masked:<10 hex>]`, an HMAC under a key of this deployment, so requests for the same
code can still be told apart and correlated without the log holding the code."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from infra.components import Slot
from infra.config import get_settings

if TYPE_CHECKING:
    from flask import Flask, Response

    from infra.web import direct_routes

NODE_HEADER = "Cedula-Node"
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRET_WORDS = ("secret", "password", "pin", "private", "token", "code_verifier", "assertion")


def _escaped(text: str) -> str:
    """`text` with backslashes doubled and every character that is not printable (controls,
    line and paragraph separators, format characters, lone surrogates) as a Python escape."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char.isprintable():
            out.append(char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
    return "".join(out)


def _json_safe(line: str) -> str:
    """A JSON line with what `json.dumps(ensure_ascii=False)` leaves raw but a line reader may
    split on or a terminal may obey (U+0085, U+2028, U+2029, format characters) as \\u escapes."""
    if line.isprintable():
        return line
    out = []
    for char in line:
        if char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            if code >= 0x10000:  # a surrogate pair, as JSON writes it
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    return "".join(out)


_OUTSIDE_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar("outside_request", default=False)


@contextmanager
def outside_request() -> Iterator[None]:
    """Lines logged in the block belong to no request, though a request runs the code (a
    background thread started by the first request): they carry no request id."""
    token = _OUTSIDE_REQUEST.set(True)
    try:
        yield
    finally:
        _OUTSIDE_REQUEST.reset(token)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's context: node, request id and its `extra` fields, secrets redacted."""
    entry: dict[str, Any] = {}
    if JsonFormatter.node:
        entry["node"] = JsonFormatter.node
    # Flask is imported only by what serves requests (`cedula verify` logs without it). The
    # request's globals are its application context's (a direct route has no request context).
    flask = sys.modules.get("flask")
    if (flask is not None and flask.has_app_context() and "request_id" in flask.g
            and not _OUTSIDE_REQUEST.get()):
        entry["request_id"] = flask.g.request_id
    for key, value in vars(record).items():
        if key in _RESERVED or key.startswith("_"):
            continue
        entry[key] = ("[redacted]" if any(w in key.lower() for w in _SECRET_WORDS)
                      else _without_values(value) if isinstance(value, str) else value)
    return entry


# The values a failed statement carried, as SQLAlchemy (`[parameters: ...]`) and PostgreSQL
# (`DETAIL:  Key (email)=(...) already exists.`, `Failing row contains (...)`) put them in an
# error's text: a national id, an email, a code's digest. An error logged (`log.exception`, or
# `str(exc)` in a field) keeps the statement and the constraint, never the values.
_STATEMENT_VALUES = re.compile(r"\[parameters: [^\n]*\]|(?m:^(DETAIL:\s+(?:Key \([^\n]*?\)=|Failing row contains )))"
                               r"[^\n]*")


def _hide_values(match: re.Match[str]) -> str:
    return f"{match[1]}[values hidden]" if match[1] else "[parameters hidden]"


def _without_values(text: str) -> str:
    """`text` without the values of a failed SQL statement (a no-op for any other text)."""
    if "[parameters: " not in text and "DETAIL:" not in text:
        return text
    return _STATEMENT_VALUES.sub(_hide_values, text)


def _moment(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    #: This server's name in a cluster (`server.node_name`), put in every line when set.
    node = ""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _moment(record), "level": record.levelname, "logger": record.name,
                 "message": _without_values(record.getMessage()), **_fields(record)}
        if record.exc_info:
            entry["exception"] = _without_values(self.formatException(record.exc_info))
        return _json_safe(json.dumps(entry, default=str, ensure_ascii=False))


def _text_value(value: Any) -> str:
    """A `key=value` value: escaped, and quoted when it holds a space, a quote or an `=` (or is
    empty), so that it cannot pass for more fields."""
    text = _escaped(value if isinstance(value, str) else str(value))
    if text and not any(c in text for c in ' "='):
        return text
    return '"' + text.replace('"', '\\"') + '"'


class TextFormatter(logging.Formatter):
    """`<time> <LEVEL> <logger>: <message> key=value ...`, one line a record."""

    def format(self, record: logging.LogRecord) -> str:
        message = _escaped(_without_values(record.getMessage()))
        parts = [f"{_moment(record)} {record.levelname} {_escaped(record.name)}: {message}"]
        parts.extend(f"{_escaped(key)}={_text_value(value)}" for key, value in _fields(record).items())
        if record.exc_info:
            parts.append("exception=" + _text_value(_without_values(self.formatException(record.exc_info))))
        return " ".join(parts)


def configure(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("werkzeug", "alembic"):
        logging.getLogger(noisy).setLevel("WARNING")


class _RandomBytes(threading.local):
    """Bytes of `os.urandom`, read 4 KiB at a time per thread: one system call per 256
    request ids, not one per request (under load a `getrandom` call cost ~12 us)."""

    CHUNK = 4096

    def __init__(self) -> None:
        self.buffer = b""
        self.offset = 0

    def take(self, size: int) -> bytes:
        if self.offset + size > len(self.buffer):
            self.buffer, self.offset = os.urandom(self.CHUNK), 0
        start, self.offset = self.offset, self.offset + size
        return self.buffer[start:self.offset]


_RANDOM = _RandomBytes()


def _fresh_buffers() -> None:
    """A forked child must never hand out the ids its parent's buffer still holds."""
    global _RANDOM
    _RANDOM = _RandomBytes()


os.register_at_fork(after_in_child=_fresh_buffers)


def new_request_id() -> str:
    """128 random bits in hex (as `uuid4().hex` was), from the operating system's CSPRNG."""
    return _RANDOM.take(16).hex()


# The view arguments the access log masks and the key of their digests (`init_app`).
PATH_MASK: Slot[tuple[tuple[str, ...], bytes]] = Slot("log path mask")


def masked_path(path: str, values: Mapping[str, Any], names: Iterable[str], key: bytes) -> str:
    """`path` with the values of the view arguments `names` replaced by keyed digests."""
    for name in names:
        value = values.get(name)
        if isinstance(value, str) and value:
            digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:10]
            path = path.replace(value, f"[masked:{digest}]")
    return path


def request_path() -> str:
    """The current request's path for a log line: masked as the access log masks it (an outage
    line, an error's, of the same request must not hold the verification code the access line
    hides). Without the logging component, the route's pattern (`/verify/<code>`)."""
    from flask import current_app, request

    if not PATH_MASK.installed(current_app):
        return request.url_rule.rule if request.url_rule is not None else request.path
    masked, key = PATH_MASK.of()
    return masked_path(request.path, request.view_args or {}, masked, key)


def init_app(app: Flask) -> None:
    from flask import g, request

    from infra.secrets import get_secrets
    from infra.web import direct_routes

    access = logging.getLogger("cedula.access")
    masked = tuple(str(n) for n in get_settings(app)["logging"].get("masked_path_parameters", ()))
    key = get_secrets(app).key("access-log-mask") if masked else b""
    PATH_MASK.install(app, (masked, key))
    node = get_settings(app).server.node_name
    if node:
        JsonFormatter.node = node

    def start(asked: direct_routes.Exchange) -> None:
        # The request's globals looked up once, written as Flask's `_AppCtxGlobals.__setattr__`
        # writes them (into their `__dict__`), without its Python call per name (issue 16).
        here = g._get_current_object().__dict__
        incoming = asked.environ.get("HTTP_X_REQUEST_ID", "")  # the X-Request-Id header
        here["request_id"] = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else new_request_id()
        here["started"] = time.perf_counter()  # also the start of infra.ops.metrics' latency

    def finish(asked: direct_routes.Exchange, status: int, headers: direct_routes.HeaderSink) -> None:
        here = g._get_current_object().__dict__  # (`g.get` is `__dict__.get`, as a Python call)
        headers["X-Request-Id"] = here.get("request_id", "")
        if node:
            headers[NODE_HEADER] = node
        if access.isEnabledFor(logging.INFO) and asked.path not in ("/healthz", "/metrics"):
            access.info(
                "request",
                extra={
                    "method": asked.method,
                    "path": masked_path(asked.path, asked.view_args or {}, masked, key),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - here.get("started", time.perf_counter())) * 1000, 2),
                    "remote": asked.remote_addr,
                },
            )

    @app.before_request
    def _start() -> None:
        start(request._get_current_object())  # type: ignore[attr-defined]  # the request, not the proxy

    @app.after_request
    def _log(response: Response) -> Response:
        finish(request._get_current_object(), response.status_code, response.headers)  # type: ignore[attr-defined]
        return response

    # Direct routes (infra.web.direct_routes) get the same, without Flask's hooks.
    direct_routes.on_start(app, start)
    direct_routes.on_finish(app, finish)
