"""Settings of one demo agency portal, read from the environment (PORTAL_*)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field


class PortalConfigError(ValueError):
    """A portal setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class PortalConfig:
    name: str
    base_url: str                  # where the portal itself is reached, e.g. http://localhost:8001
    issuer: str                    # the Cédula provider
    client_id: str
    client_secret: str | None = None
    private_jwk: Mapping[str, object] | None = None   # held in memory only (never written to disk)
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    theme: str = "registry"        # "registry" or "tax": colours of the page
    purpose: str = ""
    # Where times are written when the device has not said its zone (then with their offset).
    timezone: str = "America/El_Salvador"
    can_issue_documents: bool = False
    # A FAPI 2.0 client (clients/portal/fapi.py): PAR, DPoP and private_key_jwt.
    fapi: bool = False
    secret_key: bytes = field(default_factory=lambda: os.urandom(32), repr=False)

    @property
    def auth_method(self) -> str:
        return "private_key_jwt" if self.private_jwk else "client_secret_basic"


def from_environment(environ: Mapping[str, str] = os.environ) -> PortalConfig:
    def need(name: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            raise PortalConfigError(f"{name} is not set")
        return value

    jwk = environ.get("PORTAL_PRIVATE_JWK")
    private_jwk = None
    if jwk:
        try:
            private_jwk = json.loads(jwk)
        except json.JSONDecodeError as exc:
            raise PortalConfigError(f"PORTAL_PRIVATE_JWK is not JSON: {exc}") from None
    secret = environ.get("PORTAL_CLIENT_SECRET") or None
    if not private_jwk and not secret:
        raise PortalConfigError("set PORTAL_CLIENT_SECRET or PORTAL_PRIVATE_JWK")
    return PortalConfig(
        name=need("PORTAL_NAME"),
        base_url=need("PORTAL_BASE_URL").rstrip("/"),
        issuer=need("PORTAL_ISSUER").rstrip("/"),
        client_id=need("PORTAL_CLIENT_ID"),
        client_secret=secret,
        private_jwk=private_jwk,
        scopes=tuple(environ.get("PORTAL_SCOPES", "openid profile email").split()),
        theme=environ.get("PORTAL_THEME", "registry"),
        purpose=environ.get("PORTAL_PURPOSE", ""),
        timezone=environ.get("PORTAL_TIMEZONE", "America/El_Salvador"),
        can_issue_documents=environ.get("PORTAL_ISSUE_DOCUMENTS", "") in ("1", "true", "yes"),
        fapi=environ.get("PORTAL_FAPI", "") in ("1", "true", "yes"),
    )
