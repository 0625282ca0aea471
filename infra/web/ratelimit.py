"""Fixed-window rate limits per client address, kept in the ephemeral store."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def address_of(remote_addr: str | None) -> str:
    """The client address a limit counts by, from the request's REMOTE_ADDR: an IPv6 client
    holds at least a /64 (RFC 6177), so its /64 is what counts (not one address of billions);
    an IPv4-mapped address is its IPv4 address."""
    if not remote_addr:
        return "unknown"
    if ":" not in remote_addr:
        return remote_addr
    try:
        address = ipaddress.IPv6Address(remote_addr)
    except ValueError:
        return remote_addr
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))


def hit(bucket: str, *, key: str | None = None, limit: int | None = None,
        window: int | None = None) -> None:
    """Count one attempt in `bucket` for this client; raise RateLimited past the limit."""
    settings = get_settings()["rate_limit"]
    limit = int(limit or settings["attempts"])
    window = int(window or settings["window_seconds"])
    count = get_store(current_app).incr(f"rl:{bucket}:{key or client_address()}", window)
    if count > limit:
        raise RateLimited(window)
