"""The `[logout]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import MAX_SECONDS, MAX_THREADS, ConfigError, read_section


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


def load(settings: Mapping[str, Mapping[str, Any]], issuer: str) -> LogoutSettings:
    section = read_section(settings, "logout")
    loaded = LogoutSettings(
        issuer=issuer,
        token_seconds=section.whole("token_seconds", minimum=10, maximum=MAX_SECONDS, unit="seconds"),
        # at most 100 (with retry_max_seconds = 600, more than half a day): 1e15 never gave
        # up on an agency that is gone, retrying its deliveries for ever
        max_attempts=section.whole("max_attempts", maximum=100),
        retry_seconds=section.whole("retry_seconds", maximum=MAX_SECONDS, unit="seconds"),
        retry_max_seconds=section.whole("retry_max_seconds", maximum=MAX_SECONDS, unit="seconds"),
        delivery_seconds=section.number("delivery_seconds", minimum=0.1, maximum=MAX_SECONDS, unit="seconds"),
        # threads of one process's delivery pool (each waits on an agency): 1e15 let every
        # pending delivery start a thread of its own ("can't start new thread" under load)
        concurrency=section.whole("concurrency", maximum=MAX_THREADS),
        poll_seconds=section.number("poll_seconds", minimum=0.05, maximum=MAX_SECONDS, unit="seconds"),
        background=section.flag("background"),
        confirm_seconds=section.whole("confirm_seconds", minimum=30, maximum=MAX_SECONDS, unit="seconds"),
    )
    if loaded.retry_max_seconds < loaded.retry_seconds:
        raise ConfigError("logout.retry_max_seconds must be at least logout.retry_seconds")
    return loaded
