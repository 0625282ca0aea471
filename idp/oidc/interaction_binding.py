"""An authorization request in progress belongs to the browser that started it.

The interaction id travels in URLs (`/authorize/continue?interaction=...`, the sign-in page's
`next`) and forms, so it can leak (a shared link, history, a referrer) or be planted: without a
binding, whoever opens it continues the request under their own session, which signs a victim
in to the agency as the attacker (login CSRF, OAuth 2.0 Security BCP, RFC 9700 section 4.7) or
sends the victim's code the attacker's way. So each browser holds a random value in an HttpOnly,
SameSite=Lax cookie (Secure and `__Host-` over https: `infra.web.cookies`), each interaction
keeps the value's SHA-256, and every step that continues an interaction compares the two in
constant time. The cookie is one per browser (tabs share it), kept a day from the last request
that stored an interaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from werkzeug.wrappers import Response

from idp.oidc.interactions import Interaction
from infra.web.cookies import read_flow_cookie, set_flow_cookie

COOKIE = "cedula_interaction"
_SECONDS = 86_400
_MIN, _MAX = 32, 64  # a value's length: token_urlsafe(32) is 43 characters


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()


def _read() -> str | None:
    value = read_flow_cookie(COOKIE)
    if value is None or not _MIN <= len(value) <= _MAX or not value.isascii():
        return None
    return value


@dataclass(frozen=True)
class Binding:
    """This browser's binding value (`new`: made for this request, not in its cookie yet)."""

    value: str
    new: bool

    @property
    def digest(self) -> str:
        return _digest(self.value)

    def keep(self, response: Response) -> Response:
        """Send (or refresh) the cookie holding the value with `response`."""
        set_flow_cookie(response, COOKIE, self.value, max_age=_SECONDS, path="/")
        return response


def of_browser() -> Binding:
    """The binding of the browser sending this request (a new one if it has none)."""
    value = _read()
    return Binding(value, new=False) if value is not None else Binding(secrets.token_urlsafe(32), new=True)


def holds(interaction: Interaction) -> bool:
    """Whether the browser sending this request is the one that started `interaction`."""
    value = _read()
    if value is None or not interaction.browser:
        return False
    return hmac.compare_digest(_digest(value), interaction.browser)


__all__ = ["COOKIE", "Binding", "holds", "of_browser"]
