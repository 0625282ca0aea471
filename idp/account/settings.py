"""The `[account]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import ConfigError, read_section

SETTINGS: Slot[AccountSettings] = Slot("account settings")


@dataclass(frozen=True)
class AccountSettings:
    reauth_seconds: int
    """How old the session's last passkey check may be for a sensitive action."""
    recovery_codes: int
    """How many recovery codes a citizen is given at once (`[recovery] codes`)."""


def load(settings: Mapping[str, Mapping[str, Any]]) -> AccountSettings:
    if "reauth_seconds" in settings.get("consent", {}):
        raise ConfigError("consent.reauth_seconds has moved to account.reauth_seconds (it now "
                          "covers every sensitive account action, not only closing the account); "
                          "rename it in your settings")
    section = read_section(settings, "account")
    reauth_seconds = section.whole("reauth_seconds", minimum=30, maximum=3600, unit="seconds")
    # one code at least (the way back without a passkey); at most 100, each a line to keep
    codes = read_section(settings, "recovery").whole("codes", minimum=1, maximum=100)
    return AccountSettings(reauth_seconds=reauth_seconds, recovery_codes=codes)


def account_settings(app: Flask | None = None) -> AccountSettings:
    return SETTINGS.of(app)


def init_app(app: Flask) -> None:
    from infra.config import get_settings

    SETTINGS.install(app, load(get_settings(app)))
