"""Fixed-window rate limits per client address, kept in the ephemeral store.

What each limit counted in a request is kept for its answer (`note`), and an API's blueprint
says it with `advertise`: the RateLimit-Policy and RateLimit fields of
draft-ietf-httpapi-ratelimit-headers (-11), from the count the store gave back, with no other
round trip. A fixed window's time left is not known without one, so RateLimit carries no `t`
(optional there); a 429 keeps Retry-After.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, g, request
from werkzeug.wrappers import Response

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
    note(bucket, limit=limit, window=window, count=count)
    if count > limit:
        raise RateLimited(window)


@dataclass(frozen=True)
class Counted:
    """One limit as this request left it: `count` of `limit` used in a `window` of seconds."""

    policy: str
    limit: int
    window: int
    count: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def note(policy: str, *, limit: int, window: int, count: int) -> None:
    """Keep what a limit counted for this request's answer (the last count of a policy wins)."""
    counted: dict[str, Counted] = g.setdefault("rate_limits", {})
    counted[policy] = Counted(policy, limit, window, count)


def advertise(response: Response) -> Response:
    """`response` with RateLimit-Policy (`"name";q=limit;w=window`) and RateLimit
    (`"name";r=remaining`) for each limit this request counted; unchanged if none did."""
    counted: dict[str, Counted] = g.get("rate_limits") or {}
    if counted:
        response.headers["RateLimit-Policy"] = ", ".join(
            f'"{c.policy}";q={c.limit};w={c.window}' for c in counted.values())
        response.headers["RateLimit"] = ", ".join(
            f'"{c.policy}";r={c.remaining}' for c in counted.values())
    return response
