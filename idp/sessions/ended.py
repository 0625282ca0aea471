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

from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from infra.web.cookies import delete_flow_cookie, read_flow_cookie, set_flow_cookie
from infra.web.i18n import safe_next

COOKIE = "session_ended"
LIFETIME = 15 * 60

_READS = ("GET", "HEAD", "OPTIONS")
# Where a form sent without a session never comes back to: the sign-in and sign-out themselves,
# and an agency's request (/authorize needs its parameters; the consent form has its own way back).
_NOT_RETURNED_TO = ("/login", "/logout", "/authorize")
FALLBACK = "/account"


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


def return_page() -> str:
    """The page a form sent without a session came from, to come back to after signing in: the
    Referer when it is one of this site's own pages answering a GET (its path and query; never
    another site's), else the nearest page at or above the form's address that answers a GET
    (`/account/sign/<id>/confirm` -> the document's review page, a passkey's rename -> the
    account page with the passkeys), else the account page. Never an open redirect: only a
    relative path, checked by `safe_next`, that is a route of this application."""
    referred = _referer_page()
    if referred:
        return referred
    path = request.path.rstrip("/")
    while path:
        if _local_page(path):
            return path
        path = path.rsplit("/", 1)[0]
    return FALLBACK


def _referer_page() -> str | None:
    referer = request.headers.get("Referer", "")
    if not referer:
        return None
    parts = urlsplit(referer)
    own = urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    target = parts.path + ("?" + parts.query if parts.query else "")
    return target if _local_page(parts.path) and safe_next(target, "") == target else None


def _local_page(path: str) -> bool:
    """Whether `path` is a safe relative path of a page of this site that answers a GET."""
    if safe_next(path, "") != path or path.startswith(_NOT_RETURNED_TO) or any(ord(c) < 0x21 for c in path):
        return False
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return False
    except HTTPException:
        return False
    return True
