"""Failed client authentication is rate limited per client (issue 14): guessing a client's
secret, or making the provider verify assertion after assertion (and fetch a jwks_uri for
each), stops after `[oidc] client_auth_failures` failures in `client_auth_window_seconds`.

Client ids are public (they travel in every authorization request), so a limit on the client
alone would let anyone lock an agency out of its own token endpoint. Failures are counted per
client and source address: the address that failed too often is refused, even with the right
credentials, until the window ends; the agency's own servers are not. Failures spread over many
addresses are caught by a second count per client, ten times higher: past it, every address
that has failed for that client at all is refused; addresses that never failed still pass.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from infra.store import EphemeralStore

PREFIX = "oidc:client-auth:"
SPREAD = 10  # the per-client count is this many times the per-address one


@dataclass(frozen=True)
class ClientAuthLimits:
    failures: int
    window: int


@lru_cache(maxsize=10_000)  # the ids this process saw (made-up names are read too, then refused)
def _client(client_id: str) -> str:
    return PREFIX + hashlib.sha256(client_id.encode("utf-8", "replace")).hexdigest()[:32]


def marks(*, client_id: str, address: str) -> list[str]:
    """The keys to read before a client authentication, together with the request's other reads
    (one round trip on a networked store): this address blocked, failures spread, this address
    failed."""
    base = _client(client_id)
    return [f"{base}:blocked:{address}", f"{base}:spread", f"{base}:failed:{address}"]


def refused_by(values: list[bytes | None]) -> bool:
    """True when this address may not try this client's credentials now, from the values of
    `marks`: the same rule as `refusing_groups`."""
    blocked, spread, failed_here = values
    return blocked is not None or (spread is not None and failed_here is not None)


def refusing_groups(keys: list[str]) -> tuple[tuple[str, ...], ...]:
    """`refused_by` as groups of the `marks` keys, for a store to check where it reads them
    (`infra.store.TakeGuard.refused_when_all`): refused when every key of a group is present."""
    blocked, spread, failed_here = keys
    return (blocked,), (spread, failed_here)


def failed(store: EphemeralStore, limits: ClientAuthLimits, *, client_id: str, address: str) -> None:
    """Count one failed authentication of `client_id` from `address`."""
    base = _client(client_id)
    store.set(f"{base}:failed:{address}", b"1", limits.window)
    if store.incr(f"{base}:count:{address}", limits.window) >= limits.failures:
        store.set(f"{base}:blocked:{address}", b"1", limits.window)
    if store.incr(f"{base}:count", limits.window) >= limits.failures * SPREAD:
        store.set(f"{base}:spread", b"1", limits.window)
