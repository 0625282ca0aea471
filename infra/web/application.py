"""The Flask application class of Cédula's apps, with what Flask does per request made cheaper."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from inspect import CO_COROUTINE
from types import FunctionType
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, Response
from flask.json.provider import DefaultJSONProvider
from flask.sessions import NullSession, SecureCookieSessionInterface
from werkzeug.datastructures import Headers
from werkzeug.sansio.response import Response as SansioResponse

from infra.web import direct_routes

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class KeptJSON(dict[str, Any]):
    """A JSON object answered again and again unchanged (UserInfo's claims for one token
    state, `idp.oidc.userinfo`): `CedulaJSONProvider.body` writes its text once per encoder
    setting and keeps it here (issue 16: the encoding was a twentieth of a UserInfo request).
    Shared between requests and threads, so never changed once made: changing it raises."""

    __slots__ = ("written",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The encoder that wrote the text, and the text (None: not written yet); swapped whole.
        self.written: tuple[json.JSONEncoder, bytes] | None = None

    def _frozen(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("a KeptJSON is shared between requests: copy it (dict(...)) to change it")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _frozen
    __ior__ = _frozen


class CedulaJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with the encoder of compact responses built once per setting instead of
    by `json.dumps` on every response (the same encoder options, so the same bytes)."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._encoders: dict[tuple[bool, bool], json.JSONEncoder] = {}

    def _compact_encoder(self) -> json.JSONEncoder:
        options = (bool(self.ensure_ascii), bool(self.sort_keys))
        encoder = self._encoders.get(options)
        if encoder is None:
            # What `dumps` passes to `json.dumps` for a compact `response`.
            encoder = self._encoders[options] = json.JSONEncoder(
                default=self.default, ensure_ascii=options[0], sort_keys=options[1], separators=(",", ":"))
        return encoder

    def response(self, *args: Any, **kwargs: Any) -> SansioResponse:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented: Flask's own way
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(f"{self._compact_encoder().encode(obj)}\n", mimetype=self.mimetype)

    def body(self, obj: Any, verbatim: Collection[str] = ()) -> bytes:
        """The body `response(obj)` carries, without building the response (direct routes).

        `verbatim`: names of members of the dict `obj` whose values are strings of characters
        that JSON writes unescaped (base64url text, compact JWS, as the caller made them):
        written as they are instead of scanned character by character again (issue 16: the
        two tokens of a /token answer were a fifth of its body's cost). The same bytes."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return self.response(obj).get_data()  # type: ignore[attr-defined, no-any-return]
        encoder = self._compact_encoder()
        if type(obj) is KeptJSON:
            written = obj.written
            if written is None or written[0] is not encoder:
                written = obj.written = (encoder, f"{encoder.encode(obj)}\n".encode())
            return written[1]
        if not verbatim or type(obj) is not dict:
            return f"{encoder.encode(obj)}\n".encode()
        encode = encoder.encode
        # What `encode` answers for a str, without its Python call (issue 16: seven per /token).
        quote = json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
        members = []
        for name, value in (sorted(obj.items()) if encoder.sort_keys else obj.items()):
            key = quote(name) if type(name) is str else encode(name)
            if type(value) is str:
                members.append(f'{key}:"{value}"' if name in verbatim else f"{key}:{quote(value)}")
            elif type(value) is int:  # as the C encoder writes an int
                members.append(f"{key}:{int.__repr__(value)}")
            else:
                members.append(f"{key}:{encode(value)}")
        return f"{{{','.join(members)}}}\n".encode()


class CedulaResponse(Response):
    """Flask's response. werkzeug copies a response's headers as it is sent, to correct what
    may need it (a relative or IRI `Location`, an IRI `Content-Location`, the length of a 1xx,
    204 or 304 answer, a missing `Content-Length`); a 2xx answer that has its length and
    neither location header needs none of that, and is sent with its own headers (the copy
    would be identical; they are only read, into the WSGI list)."""

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        status = self.status_code
        if 200 <= status < 300 and status != 204:
            length = False
            for key, _value in self.headers:
                name = key.lower()
                if name in ("location", "content-location"):
                    return super().get_wsgi_headers(environ)
                length = length or name == "content-length"
            if length:
                return self.headers
        return super().get_wsgi_headers(environ)


class CedulaSessions(SecureCookieSessionInterface):
    """Flask's cookie session, for an app with a secret key. The provider sets none (its
    sign-ins are `idp.sessions`, not Flask's session): then every request gets one null session,
    built once, instead of a new one each (a null session cannot be written to, so sharing it
    shares nothing)."""

    def __init__(self) -> None:
        self._null: NullSession | None = None

    def open_session(self, app: Flask, request: Request) -> Any:
        return super().open_session(app, request) if app.secret_key else None

    def make_null_session(self, app: Flask) -> NullSession:
        if self._null is None:
            self._null = super().make_null_session(app)
        return self._null


class CedulaFlask(Flask):
    """Flask, with per-request costs cut (behaviour unchanged)."""

    response_class = CedulaResponse
    json_provider_class = CedulaJSONProvider
    session_interface = CedulaSessions()

    def make_default_options_response(self) -> Response:
        """Flask's OPTIONS answer (the `Allow` header), without the text/html type of a body it
        does not have (`infra.web.caching.no_content`)."""
        answer = super().make_default_options_response()
        del answer.headers["Content-Type"]
        answer.headers["Content-Length"] = "0"
        return answer

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks `inspect.iscoroutinefunction` about every hook and view on every request
        (a dozen per request, six Python calls each). A plain function that no decorator marked
        as a coroutine (`inspect.markcoroutinefunction`) is decided by its code flags at once;
        anything else goes the way Flask goes."""
        if (type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE
                and "_is_coroutine_marker" not in func.__dict__):
            return func
        return super().ensure_sync(func)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Flask's, after the direct routes (`infra.web.direct_routes`): a request for one of
        them is answered there, anything else by Flask."""
        direct = direct_routes.installed(self)
        if direct is not None:
            answered = direct_routes.dispatch(self, direct, environ, start_response)
            if answered is not None:
                return answered
        return super().wsgi_app(environ, start_response)
