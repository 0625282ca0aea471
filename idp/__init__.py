"""Cédula identity provider: citizens, passkeys, SSO sessions and the OpenID Provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from idp.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The app factory loads on first use, so that `idp.cli` and the models stay cheap to import.
    if name == "create_app":
        from idp.app import create_app

        return create_app
    raise AttributeError(f"module 'idp' has no attribute {name!r}")
