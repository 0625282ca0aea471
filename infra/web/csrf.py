"""CSRF tokens for every form: a signed double-submit token bound to a browser cookie.

The browser gets a random `csrf` cookie (HttpOnly, SameSite=Lax); each form carries
HMAC(secret, cookie). An attacker can neither read the cookie nor compute the HMAC.
JSON APIs are protected differently: they accept only `application/json` bodies (which a
cross-site form cannot send) and refuse requests whose Origin is not this provider's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, Response, g, request

from infra.config import get_settings
from infra.secrets import get_secrets

FORM_FIELD = "csrf_token"
COOKIE = "csrf"
HEADER = "X-CSRF-Token"


class CsrfError(ValueError):
    """The form's CSRF token is missing or does not match this browser."""


def _cookie_name() -> str:
    return ("__Host-" if get_settings().secure else "") + COOKIE


def _sign(value: str) -> str:
    key = get_secrets().key("csrf")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The token to put in a form's hidden `csrf_token` field (sets the cookie if needed)."""
    if "csrf_cookie" not in g:
        existing = request.cookies.get(_cookie_name())
        g.csrf_cookie = existing if existing and len(existing) == 43 else secrets.token_urlsafe(32)
        g.csrf_new = g.csrf_cookie != existing
    return _sign(g.csrf_cookie)


def validate_csrf() -> None:
    """Raise CsrfError unless the request's form token matches the browser's cookie."""
    cookie = request.cookies.get(_cookie_name())
    sent = request.form.get(FORM_FIELD) or request.headers.get(HEADER) or ""
    if not cookie or not sent or not hmac.compare_digest(_sign(cookie), sent):
        raise CsrfError("The form's security token is missing or out of date.")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.after_request
    def _set_cookie(response: Response) -> Response:
        if g.get("csrf_new"):
            response.set_cookie(
                _cookie_name(),
                g.csrf_cookie,
                httponly=True,
                samesite="Lax",
                secure=get_settings(app).secure,
                path="/",
            )
        return response
