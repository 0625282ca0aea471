"""A session that ended while a page that needs it was open (it expired, or was closed from
another device): the form the citizen sends then finds no session, and the way to the sign-in
page is marked so that the sign-in page can say why it is shown, and that after signing in
they will continue where they were.

The mark is a short flow cookie (`infra.web.cookies`), not a query parameter: the way to the
sign-in page may pass through other pages (the consent form sends the citizen back to
`/authorize/continue`, which sends them on to `/login`), and the page must still say it after
a change of language. It is forgotten when a session starts, and lives `LIFETIME` seconds.
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from infra.web.cookies import delete_flow_cookie, read_flow_cookie, set_flow_cookie

COOKIE = "session_ended"
LIFETIME = 15 * 60

_READS = ("GET", "HEAD", "OPTIONS")


def mark(response: Response) -> Response:
    set_flow_cookie(response, COOKIE, "1", max_age=LIFETIME, path="/")
    return response


def marked() -> bool:
    """Whether this browser was sent to sign in because its session ended (a Jinja global)."""
    return read_flow_cookie(COOKIE) == "1"


def forget(response: Response) -> None:
    if marked():
        delete_flow_cookie(response, COOKIE, path="/")


def sent_a_form() -> bool:
    """Whether this request sends something (a form), not only asks for a page."""
    return request.method not in _READS
