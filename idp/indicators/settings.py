"""The `[indicators]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import ConfigError


@dataclass(frozen=True)
class IndicatorSettings:
    privacy_floor: int = 5
    max_days: int = 400


def load(settings: Mapping[str, Any]) -> IndicatorSettings:
    section = settings.get("indicators", {})
    values: dict[str, int] = {}
    for key, least in (("privacy_floor", 1), ("max_days", 1)):
        value = section.get(key, getattr(IndicatorSettings, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ConfigError(f"indicators.{key} must be a whole number >= {least}, got {value!r}")
        values[key] = value
    return IndicatorSettings(**values)


SETTINGS: Slot[IndicatorSettings] = Slot("indicator settings")


def indicator_settings(app: Flask | None = None) -> IndicatorSettings:
    return SETTINGS.of(app)
