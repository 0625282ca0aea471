"""The `[audit]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import MAX_SECONDS, ConfigError, read_section

ALGORITHMS = ("ES256", "RS256")


@dataclass(frozen=True)
class AuditPolicy:
    issuer: str
    checkpoint_entries: int
    checkpoint_seconds: int
    checkpoint_alg: str
    seal_seconds: float = 1.0


def load(settings: Mapping[str, Mapping[str, Any]], issuer: str) -> AuditPolicy:
    section = read_section(settings, "audit")
    seal = section.values.get("seal_seconds", 1.0)
    if not isinstance(seal, int | float) or isinstance(seal, bool) or not (seal == 0 or 0.05 <= seal <= 3600):
        raise ConfigError(f"audit.seal_seconds must be 0 (no sealing thread) or between 0.05 and 3600, "
                          f"got {seal!r}")
    return AuditPolicy(issuer=issuer, checkpoint_entries=section.whole("checkpoint_entries"),
                       checkpoint_seconds=section.whole("checkpoint_seconds", maximum=MAX_SECONDS, unit="seconds"),
                       checkpoint_alg=section.choice("checkpoint_alg", ALGORITHMS), seal_seconds=float(seal))
