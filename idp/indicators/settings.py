"""The `[indicators]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from infra.components import Slot
from infra.config import MAX_SECONDS, read_section


@dataclass(frozen=True)
class IndicatorSettings:
    privacy_floor: int = 5
    max_days: int = 400


def load(settings: Mapping[str, Mapping[str, Any]]) -> IndicatorSettings:
    section = read_section(settings, "indicators")
    # privacy_floor has no upper bound: a higher floor only hides more (a real choice). max_days
    # is at most ten years: 1e15 let one report, chart or export ask for every day from
    # EARLIEST to LATEST, a series of millions of buckets built in the request
    return IndicatorSettings(privacy_floor=section.whole("privacy_floor"),
                             max_days=section.whole("max_days", maximum=MAX_SECONDS // 86400, unit="days"))


SETTINGS: Slot[IndicatorSettings] = Slot("indicator settings")


def indicator_settings(app: Flask | None = None) -> IndicatorSettings:
    return SETTINGS.of(app)
