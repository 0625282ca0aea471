"""The `[indicators]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import read_section


@dataclass(frozen=True)
class IndicatorSettings:
    privacy_floor: int = 5
    max_days: int = 400


def load(settings: Mapping[str, Mapping[str, Any]]) -> IndicatorSettings:
    section = read_section(settings, "indicators")
    return IndicatorSettings(privacy_floor=section.whole("privacy_floor"), max_days=section.whole("max_days"))


SETTINGS: Slot[IndicatorSettings] = Slot("indicator settings")


def indicator_settings(app: Flask | None = None) -> IndicatorSettings:
    return SETTINGS.of(app)
