"""The `[account]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import ConfigError

SETTINGS: Slot[AccountSettings] = Slot("account settings")


@dataclass(frozen=True)
class AccountSettings:
    reauth_seconds: int
    """How old the session's last passkey check may be for a sensitive action."""


def load(settings: Mapping[str, Any]) -> AccountSettings:
    if "reauth_seconds" in settings.get("consent", {}):
        raise ConfigError("consent.reauth_seconds has moved to account.reauth_seconds (it now "
                          "covers every sensitive account action, not only closing the account); "
                          "rename it in your settings")
    value = settings.get("account", {}).get("reauth_seconds")
    if not isinstance(value, int) or isinstance(value, bool) or not 30 <= value <= 3600:
        raise ConfigError(f"account.reauth_seconds must be a whole number of seconds from 30 to "
                          f"3600, got {value!r}")
    return AccountSettings(reauth_seconds=value)


def account_settings(app: Flask | None = None) -> AccountSettings:
    return SETTINGS.of(app)


def init_app(app: Flask) -> None:
    from infra.config import get_settings

    SETTINGS.install(app, load(get_settings(app)))
