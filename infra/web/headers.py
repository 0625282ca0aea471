"""Security headers on every response: CSP, frame-ancestors, Referrer-Policy, HSTS.

They do not change between requests, so they are built once when the app starts and added in
one go as each response starts (a WSGI middleware around the whole app), not set one at a time
through werkzeug's `Headers` in an after-request hook. Being outside Flask, they are on every
answer, even one made after a hook failed.

- `Content-Security-Policy`: the view's own, if it set one (an OIDC redirect after a form post
  widens form-action for one response); else the configured policy.
- `X-Content-Type-Options`, `X-Frame-Options`, `Referrer-Policy`, `Cross-Origin-*-Policy`,
  `Permissions-Policy` and, on https, `Strict-Transport-Security`: always ours (a view's value
  for one of these names is replaced).
- `Cache-Control: no-store` on pages (text/html) and on everything under `/webauthn/` and
  `/account`, unless the view chose its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask

from infra.config import get_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Header = tuple[str, str]

NO_STORE_PATHS = ("/webauthn/", "/account")


def fixed_headers(*, hsts_seconds: int | None) -> list[Header]:
    """The headers every response carries with the same value (HSTS only on https)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if hsts_seconds is not None:
        headers.append(("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains"))
    return headers


class SecurityHeaders:
    """WSGI middleware adding the security headers (module docstring) to every response."""

    def __init__(self, app: WSGIApplication, *, csp: str, fixed: Iterable[Header]) -> None:
        self.app = app
        self.fixed = list(fixed)
        self._ours = frozenset(name.lower() for name, _ in self.fixed)
        self._csp = ("Content-Security-Policy", csp)
        self._no_store = ("Cache-Control", "no-store")

    def headers(self, path: str, headers: list[Header]) -> list[Header]:
        """`headers` (the view's) completed with the security headers, for a response to `path`.

        The view's names are read in one pass (issue 16: not a dict of every lowercased name
        per response); the last Content-Type is the one decided on, as that dict kept it."""
        ours = self._ours
        clash = csp = cache = False
        content_type = ""
        for name, value in headers:
            lower = name.lower()
            if lower in ours:
                clash = True
            if lower == "content-security-policy":
                csp = True
            elif lower == "cache-control":
                cache = True
            elif lower == "content-type":
                content_type = value
        if clash:
            headers = [(name, value) for name, value in headers if name.lower() not in ours]
        headers.extend(self.fixed)
        if not csp:
            headers.append(self._csp)
        if not cache and (path.startswith(NO_STORE_PATHS)
                          or content_type.partition(";")[0].strip().lower() == "text/html"):
            headers.append(self._no_store)
        return headers

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = "/" + environ.get("PATH_INFO", "").lstrip("/")  # as `request.path` reads it

        def start(status: str, headers: list[Header], exc_info: Any = None) -> Callable[[bytes], object]:
            return start_response(status, self.headers(path, headers), exc_info)

        return self.app(environ, start)


def init_app(app: Flask) -> None:
    settings = get_settings(app)
    security = settings["security"]
    hsts = int(security["hsts_seconds"]) if settings.secure else None
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, csp=str(security["content_security_policy"]), fixed=fixed_headers(hsts_seconds=hsts))
