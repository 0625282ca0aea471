"""The `[documents]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from typing import Any

from infra.i18n import UnknownZone, zone
from signing.errors import SigningError

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
PAPERS = ("A4", "Letter")


class DocumentSettingsError(SigningError):
    """A `[documents]` setting has a value that cannot work."""


@dataclass(frozen=True)
class DocumentSettings:
    max_bytes: int
    level: str
    storage_dir: Path
    citizen_certificate: timedelta
    cache_seconds: int
    confirm_seconds: int
    paper: str
    minimum_signing_level: str = "substantial"
    archive_renew_before: timedelta = timedelta(days=120)
    archive_renew_hours: int = 24
    time_zone: tzinfo = UTC  # the time printed on documents ([i18n] timezone)

    @classmethod
    def load(cls, settings: Mapping[str, Any], data_dir: Path) -> DocumentSettings:
        section = settings.get("documents", {})

        def whole(key: str, minimum: int) -> int:
            value = section.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise DocumentSettingsError(
                    f"documents.{key} must be a whole number >= {minimum}, got {value!r}")
            return value

        level = str(section.get("level", "")).upper()
        if level not in LEVELS:
            raise DocumentSettingsError(f"documents.level must be one of {', '.join(LEVELS)}, "
                                        f"got {section.get('level')!r}")
        paper = str(section.get("paper", ""))
        if paper not in PAPERS:
            raise DocumentSettingsError(f"documents.paper must be A4 or Letter, got {paper!r}")
        minimum = str(section.get("minimum_signing_level", "substantial"))
        if minimum not in ("substantial", "high"):
            raise DocumentSettingsError("documents.minimum_signing_level must be substantial "
                                        f"or high, got {minimum!r}")
        storage = str(section.get("storage_dir", "") or "")
        try:
            time_zone = zone(str(settings.get("i18n", {}).get("timezone", "UTC")))
        except UnknownZone as exc:
            raise DocumentSettingsError(f"i18n.timezone: {exc}") from None
        return cls(
            max_bytes=whole("max_bytes", 1024),
            level=level,
            storage_dir=Path(storage) if storage else Path(data_dir) / "documents",
            citizen_certificate=timedelta(minutes=whole("citizen_certificate_minutes", 1)),
            cache_seconds=whole("cache_seconds", 0),
            confirm_seconds=whole("confirm_seconds", 30),
            paper=paper,
            minimum_signing_level=minimum,
            archive_renew_before=timedelta(days=whole("archive_renew_before_days", 1)),
            archive_renew_hours=whole("archive_renew_hours", 0),
            time_zone=time_zone,
        )
