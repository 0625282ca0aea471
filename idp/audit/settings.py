"""The `[audit]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idp.config import ConfigError

ALGORITHMS = ("ES256", "RS256")


@dataclass(frozen=True)
class AuditPolicy:
    issuer: str
    checkpoint_entries: int
    checkpoint_seconds: int
    checkpoint_alg: str


def load(settings: Mapping[str, Any], issuer: str) -> AuditPolicy:
    section = settings["audit"]
    values = {}
    for key in ("checkpoint_entries", "checkpoint_seconds"):
        value = section.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"audit.{key} must be a whole number >= 1, got {value!r}")
        values[key] = value
    alg = section.get("checkpoint_alg")
    if alg not in ALGORITHMS:
        raise ConfigError(f"audit.checkpoint_alg must be one of {', '.join(ALGORITHMS)}, got {alg!r}")
    return AuditPolicy(issuer=issuer, checkpoint_alg=str(alg), **values)
