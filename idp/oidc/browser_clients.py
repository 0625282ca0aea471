"""Browser-based public clients (draft-ietf-oauth-browser-based-apps, section 6.3): the origins
that may call /token, /par and /revoke from a page, and the CORS headers of those endpoints.

The decisions are `infra.web.cors`'s (`for_client`, `preflight`); this module reads what they
need: the client a request named and, for a preflight (which names no client), whether any
enabled browser client registered a redirect URI at the page's origin.

A preflight needs no credentials, so anyone can send one with any Origin: the origins of every
enabled client are kept per process (`KnownOrigins`) and read again only when the registry
changed (the cache generation, bumped by every UPDATE or DELETE of a client, and the number of
enabled clients, which a registration changes): a stranger's preflight costs one small count,
never a read of every client's metadata.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from clients.registry import Client
from infra.db import get_db
from infra.web import cors

_METADATA = sa.select(Client.client_metadata).where(Client.enabled.is_(True))
_ENABLED = sa.select(sa.func.count()).select_from(Client).where(Client.enabled.is_(True))


class KnownOrigins:
    """The browser origins of the enabled clients, as last read, and what they were read under."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[bytes, int] | None = None
        self._origins: frozenset[str] = frozenset()

    def registered(self, origin: str, generation: bytes) -> bool:
        """Some enabled browser client has a redirect URI at `origin`."""
        with get_db().read() as session:
            stamp = (generation, int(session.scalar(_ENABLED) or 0))
            if stamp != self._stamp:
                origins = frozenset().union(*(cors.browser_origins(metadata)
                                              for metadata in session.scalars(_METADATA)))
                with self._lock:
                    self._stamp, self._origins = stamp, origins
        return origin in self._origins

    def clear(self) -> None:
        with self._lock:
            self._stamp, self._origins = None, frozenset()


def preflight_headers(*, allow: str, origin: str | None, requested_method: str | None,
                      known: KnownOrigins, generation: Callable[[], bytes]) -> dict[str, str]:
    """The OPTIONS answer's headers of /token, /par or /revoke (`cors.preflight`); `known`: the
    provider's `KnownOrigins`, `generation`: how to read its cache generation now."""
    return cors.preflight(allow=allow, origin=origin, requested_method=requested_method,
                          registered=lambda asked: known.registered(asked, generation()))


def answer_headers(headers: cors.HeaderTarget, origin: str | None, client: Client | None) -> None:
    """The CORS headers of an answer of /token, /par or /revoke to `client` (None: the request named
    no client it proved to be), `cors.for_client`."""
    cors.for_client(headers, origin, client.client_metadata if client is not None else None)
