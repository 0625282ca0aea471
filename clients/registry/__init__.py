"""The agency client registry: metadata rules, storage, operator CLI, RFC 7591/7592 endpoints.

The names below are imported when first asked for (PEP 562 `__getattr__`), so a module that
needs only a rule (`clients.registry.localized`, `clients.registry.names`) imports without
Flask and the ORM: `cedula verify` reads the agency's name through `clients.registry.names`.
The name rule itself is imported at once (it needs nothing), so that the function `localized`,
not its module of the same name, is the package's `localized`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from clients.registry.localized import agency_name, localized

if TYPE_CHECKING:
    from flask import Flask

    from clients.registry.metadata import (
        DEFAULT_SCOPES,
        RESTRICTED_SCOPES,
        ClientMetadataError,
        Permissions,
        validate_metadata,
    )
    from clients.registry.models import Client
    from clients.registry.services import (
        ClientNotFound,
        ClientRegistryError,
        check_secret,
        find_client,
        freeze_sector,
        sector_of,
    )

# name -> the module of the package that defines it
_HOMES = {
    "DEFAULT_SCOPES": "metadata", "RESTRICTED_SCOPES": "metadata", "ClientMetadataError": "metadata",
    "Permissions": "metadata", "validate_metadata": "metadata",
    "Client": "models",
    "ClientNotFound": "services", "ClientRegistryError": "services", "check_secret": "services",
    "find_client": "services", "freeze_sector": "services", "sector_of": "services",
}

__all__ = [
    "DEFAULT_SCOPES",
    "RESTRICTED_SCOPES",
    "Client",
    "ClientMetadataError",
    "ClientNotFound",
    "ClientRegistryError",
    "Permissions",
    "agency_name",
    "check_secret",
    "find_client",
    "freeze_sector",
    "init_app",
    "localized",
    "sector_of",
    "validate_metadata",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # asked once
    return value


def init_app(app: Flask) -> None:
    from clients.registry.openapi import PATHS, SCHEMAS
    from clients.registry.views import bp
    from infra.openapi import describe

    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
