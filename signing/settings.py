"""The `[documents]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from typing import Any

from infra.config import MAX_SECONDS, read_section
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
        section = read_section(settings, "documents", error=DocumentSettingsError)
        level = section.text("level").upper()
        if level not in LEVELS:
            raise DocumentSettingsError(f"documents.level must be one of {', '.join(LEVELS)}, "
                                        f"got {section.values.get('level')!r}")
        paper = section.choice("paper", PAPERS)
        minimum = str(section.values.get("minimum_signing_level", "substantial"))
        if minimum not in ("substantial", "high"):
            raise DocumentSettingsError("documents.minimum_signing_level must be substantial "
                                        f"or high, got {minimum!r}")
        storage = section.text("storage_dir")
        try:
            time_zone = zone(str(settings.get("i18n", {}).get("timezone", "UTC")))
        except UnknownZone as exc:
            raise DocumentSettingsError(f"i18n.timezone: {exc}") from None
        return cls(
            max_bytes=section.whole("max_bytes", minimum=1024),
            level=level,
            storage_dir=Path(storage) if storage else Path(data_dir) / "documents",
            citizen_certificate=timedelta(minutes=section.whole("citizen_certificate_minutes", minimum=1,
                                                                                 maximum=MAX_SECONDS // 60)),
            cache_seconds=section.whole("cache_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds"),
            confirm_seconds=section.whole("confirm_seconds", minimum=30, maximum=MAX_SECONDS, unit="seconds"),
            paper=paper,
            minimum_signing_level=minimum,
            archive_renew_before=timedelta(days=section.whole("archive_renew_before_days", minimum=1,
                                                                              maximum=MAX_SECONDS // 86400)),
            # 1e15 hours: the task's wait overflowed (OverflowError in its thread, no renewal)
            archive_renew_hours=section.whole("archive_renew_hours", minimum=0, maximum=MAX_SECONDS // 3600,
                                              unit="hours"),
            time_zone=time_zone,
        )
