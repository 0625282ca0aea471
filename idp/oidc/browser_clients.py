"""Browser-based public clients (draft-ietf-oauth-browser-based-apps, section 6.3): the origins
that may call /token and /revoke from a page, and the CORS headers of those endpoints.

The decisions are `infra.web.cors`'s (`for_client`, `preflight`); this module reads what they
need: the client a request named and, for a preflight (which names no client), whether any
enabled browser client registered a redirect URI at the page's origin.
"""

from __future__ import annotations

import sqlalchemy as sa

from clients.registry import Client
from infra.db import get_db
from infra.web import cors

# The metadata of the enabled public clients (the only ones a browser origin can belong to).
_PUBLIC = sa.select(Client.client_metadata).where(Client.enabled.is_(True))


def registered(origin: str) -> bool:
    """Some enabled browser client has a redirect URI at `origin` (one read; a preflight is
    kept by the browser for `cors.PREFLIGHT_SECONDS`)."""
    with get_db().read() as session:
        return any(origin in cors.browser_origins(metadata) for metadata in session.scalars(_PUBLIC))


def preflight_headers(*, allow: str, origin: str | None, requested_method: str | None) -> dict[str, str]:
    """The OPTIONS answer's headers of /token or /revoke (`cors.preflight`)."""
    return cors.preflight(allow=allow, origin=origin, requested_method=requested_method, registered=registered)


def answer_headers(headers: cors.HeaderTarget, origin: str | None, client: Client | None) -> None:
    """The CORS headers of an answer of /token or /revoke to `client` (None: the request named
    no client it proved to be), `cors.for_client`."""
    cors.for_client(headers, origin, client.client_metadata if client is not None else None)
