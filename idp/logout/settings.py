"""The `[logout]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import ConfigError


@dataclass(frozen=True)
class LogoutSettings:
    issuer: str
    token_seconds: int
    max_attempts: int
    retry_seconds: int
    retry_max_seconds: int
    delivery_seconds: float
    concurrency: int
    poll_seconds: float
    background: bool
    confirm_seconds: int

    @property
    def end_session_endpoint(self) -> str:
        return f"{self.issuer}/end-session"

    def retry_delay(self, attempt: int) -> float:
        """Seconds after attempt number `attempt` (1, 2, ...) before the next one."""
        return float(min(self.retry_max_seconds, self.retry_seconds * 2 ** (attempt - 1)))


def _number(section: Mapping[str, Any], key: str, *, minimum: float, whole: bool = True) -> Any:
    value = section.get(key)
    kinds = (int,) if whole else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool) or value < minimum:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"logout.{key} must be {kind} >= {minimum}, got {value!r}")
    return value


def load(settings: Mapping[str, Any], issuer: str) -> LogoutSettings:
    section = settings["logout"]
    background = section.get("background")
    if not isinstance(background, bool):
        raise ConfigError(f"logout.background must be true or false, got {background!r}")
    loaded = LogoutSettings(
        issuer=issuer,
        token_seconds=_number(section, "token_seconds", minimum=10),
        max_attempts=_number(section, "max_attempts", minimum=1),
        retry_seconds=_number(section, "retry_seconds", minimum=1),
        retry_max_seconds=_number(section, "retry_max_seconds", minimum=1),
        delivery_seconds=float(_number(section, "delivery_seconds", minimum=0.1, whole=False)),
        concurrency=_number(section, "concurrency", minimum=1),
        poll_seconds=float(_number(section, "poll_seconds", minimum=0.05, whole=False)),
        background=background,
        confirm_seconds=_number(section, "confirm_seconds", minimum=30),
    )
    if loaded.retry_max_seconds < loaded.retry_seconds:
        raise ConfigError("logout.retry_max_seconds must be at least logout.retry_seconds")
    return loaded
