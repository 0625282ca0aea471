"""The agency client registry: metadata rules, storage, operator CLI, RFC 7591/7592 endpoints."""

from __future__ import annotations

from flask import Flask

from clients.registry.localized import agency_name, localized
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
from infra.openapi import describe

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


def init_app(app: Flask) -> None:
    from clients.registry.views import OPENAPI_PATHS, bp

    app.register_blueprint(bp)
    describe(app, OPENAPI_PATHS)
