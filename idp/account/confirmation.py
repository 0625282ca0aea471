"""The confirmation step before a destructive action (delete a passkey, end sessions, withdraw
an agency's access): a page that says what will happen and what to do instead, with a POST
form carrying a CSRF token. The action itself stays behind POST; a GET never changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Response, render_template

from infra.web.caching import no_store

Page = Response
"""What the confirmation views answer: always a Flask response (a page or a 303)."""

@dataclass(frozen=True)
class Confirmation:
    group: str
    """The account navigation's group the page belongs to (idp/templates/account/_nav.html)."""
    title: str
    lead: str
    action: str
    button: str
    back: str
    effects: Sequence[str] = ()
    instead: str | None = None
    fields: Sequence[tuple[str, str]] = field(default_factory=tuple)


def confirmation_page(confirm: Confirmation) -> Response:
    return no_store(Response(render_template("account/confirm.html", confirm=confirm),
                             mimetype="text/html"))


def see_other(location: str) -> Page:
    """303 to `location` (a Flask response, as the pages are)."""
    response = Response(status=303)
    response.headers["Location"] = location
    return response


__all__ = ["Confirmation", "Page", "confirmation_page", "see_other"]
