"""The `[consent]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.config import MAX_SECONDS, ConfigError, read_section


@dataclass(frozen=True)
class ConsentPolicy:
    issuer: str
    lifetime_seconds: int
    page_size: int
    # client_id -> the law under which that agency receives the data (legal basis "law").
    legal_bases: Mapping[str, str] = field(default_factory=dict)

    def basis(self, client_id: str | None) -> tuple[str, str | None]:
        """("law", text) for agencies the operator configured, else ("consent", None)."""
        law = self.legal_bases.get(client_id or "")
        return ("law", law) if law else ("consent", None)


MAX_PAGE_SIZE = 1000


def load(settings: Mapping[str, Mapping[str, Any]], issuer: str) -> ConsentPolicy:
    section = read_section(settings, "consent")
    bases = section.values.get("legal_bases", {})
    if not isinstance(bases, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() and len(v) <= 500
            for k, v in bases.items()):
        raise ConfigError("consent.legal_bases must map client_id to the text of a law "
                          "(at most 500 characters each)")
    return ConsentPolicy(issuer=issuer,
                         lifetime_seconds=section.whole("lifetime_seconds", maximum=MAX_SECONDS, unit="seconds"),
                         # at most 1000 entries a page: 1e15 made /account/log?page=10000 a 500 (its
                         # OFFSET above SQLite's 64-bit integers); no citizen reads more on one page
                         page_size=section.whole("page_size", maximum=MAX_PAGE_SIZE),
                         legal_bases={k: v.strip() for k, v in bases.items()})
