"""The portal's parts, in one typed slot of its Flask app (`get_portal()`), not under string
keys of `app.extensions` or `app.config`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc7523 import PrivateKeyJWT

from clients.portal.config import PortalConfig
from clients.portal.logout_token import ProviderKeys, ReplayCache
from clients.portal.sessions import PortalSession, SessionRegistry
from infra.components import Slot

if TYPE_CHECKING:
    from flask import Flask

    from clients.portal.fapi import FapiClient


@dataclass(frozen=True)
class ClientAuth:
    """How this portal authenticates at the token endpoint (for its own, non-browser calls)."""

    secret: object
    method: PrivateKeyJWT | None


@dataclass(frozen=True)
class Portal:
    """What the portal's views use: its settings, its OIDC client, how it authenticates, its
    sessions, the provider's keys (logout tokens), their replay cache, and the FAPI client."""

    config: PortalConfig
    oauth: Any  # authlib's flask_client.OAuth; `oauth.cedula` is the provider's client
    client_auth: ClientAuth
    sessions: SessionRegistry
    keys: ProviderKeys
    replay: ReplayCache
    fapi: FapiClient | None = None

    @property
    def provider(self) -> Any:
        """authlib's client of Cédula."""
        return self.oauth.cedula


PORTAL: Slot[Portal] = Slot("portal")


def get_portal(app: Flask | None = None) -> Portal:
    """The portal of `app` (default: the current application)."""
    return PORTAL.of(app)


def current_session() -> PortalSession | None:
    """The portal session this browser's cookie names, while the portal still holds it."""
    from flask import session

    return get_portal().sessions.get(session.get("portal_session"))
