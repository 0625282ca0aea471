"""Fixed-window rate limits per client address, kept in the ephemeral store."""

from __future__ import annotations

from flask import current_app, request

from infra.config import get_settings
from infra.store import get_store


class RateLimited(Exception):
    """Too many attempts; `retry_after` is the number of seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def client_address() -> str:
    return address_of(request.remote_addr)


def address_of(remote_addr: str | None) -> str:
    """The client address a limit counts by, from the request's REMOTE_ADDR."""
    return remote_addr or "unknown"


def hit(bucket: str, *, key: str | None = None, limit: int | None = None,
        window: int | None = None) -> None:
    """Count one attempt in `bucket` for this client; raise RateLimited past the limit."""
    settings = get_settings()["rate_limit"]
    limit = int(limit or settings["attempts"])
    window = int(window or settings["window_seconds"])
    count = get_store(current_app).incr(f"rl:{bucket}:{key or client_address()}", window)
    if count > limit:
        raise RateLimited(window)
