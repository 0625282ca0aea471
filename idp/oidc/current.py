"""The OpenID Provider built for an application, for modules that must not import the package
`idp.oidc` (its `__init__` wires the endpoints, which import them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from infra.components import Slot

if TYPE_CHECKING:
    from idp.oidc.services import Provider

PROVIDER: Slot[Provider] = Slot("OpenID Provider")


def provider(app: Flask | None = None) -> Provider:
    """The OpenID Provider of `app` (default: the current application)."""
    return PROVIDER.of(app)
