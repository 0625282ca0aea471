"""The redirect a browser is sent to the client (or to a page of the provider) with: the same
page and headers as `flask.redirect`, Cache-Control: no-store, built once for the view and the
direct route (`idp.oidc.views`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote_plus, urlsplit

from flask import current_app
from markupsafe import escape
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response as BaseResponse

from infra.config import get_settings
from infra.web.direct_routes import DirectHeaders, DirectResponse


@lru_cache(maxsize=256)
def client_uri(uri: str) -> tuple[str, bool]:
    """How a query is added to the redirect URI `uri` ("?", or "&" after its own query), and
    whether werkzeug sends `uri` with such a query as it is (`iri_to_uri` changes nothing: `uri`
    is a URI already, and what is added is `quote_plus` output joined by & and =, which it keeps)."""
    return ("&" if urlsplit(uri).query else "?"), iri_to_uri(uri) == uri


@lru_cache(maxsize=64)
def quoted(value: str) -> str:
    """quote_plus of a value that seldom changes (the issuer), once."""
    return quote_plus(value)


# werkzeug.utils.redirect's page, as flask.redirect sends it.
REDIRECT_PAGE = ("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
                  "<p>You should be redirected automatically to the target URL: "
                  '<a href="{0}">{0}</a>. If not, click the link.\n')


HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Redirect:
    """`flask.redirect(target, code)` with Cache-Control: no-store (and `csp`, the page's
    Content-Security-Policy, when set): the same page and headers, built in one step, for the
    view (`response`) and the direct route (`direct`) alike."""

    target: str
    code: int
    csp: str | None = None
    as_is: bool = False  # `iri_to_uri(target)` is `target` (`client_uri`)

    def direct(self) -> DirectResponse:
        """The answer as sent: werkzeug sends a response's `Location` as a URI (`iri_to_uri`,
        in `Response.get_wsgi_headers`)."""
        return self._built(self.target if self.as_is else iri_to_uri(self.target))

    def response(self) -> BaseResponse:
        """The answer as a Flask response (Flask's hooks add to it)."""
        answer = self._built(self.target)
        return current_app.response_class(answer.body, answer.status, headers=answer.headers.items)

    def _built(self, location: str) -> DirectResponse:
        body = REDIRECT_PAGE.format(escape(self.target)).encode()
        headers = DirectHeaders([("Content-Type", HTML), ("Content-Length", str(len(body))),
                                 ("Location", location), ("Cache-Control", "no-store")])
        if self.csp is not None:
            headers["Content-Security-Policy"] = self.csp
        return DirectResponse(self.code, headers, body)


def no_store_redirect(target: str, *, code: int) -> BaseResponse:
    return Redirect(target, code).response()


def csp_posting_to(uri: str) -> str:
    """Chromium checks form-action (of the page with the form) on the redirect after a form post:
    a page whose form ends in a redirect to the client allows the client's origin."""
    parts = urlsplit(uri)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
    csp = str(get_settings()["security"]["content_security_policy"])
    return csp.replace("form-action 'self'", f"form-action 'self' {origin}")


__all__ = ["Redirect", "client_uri", "csp_posting_to", "no_store_redirect", "quoted"]
