"""Client public keys for private_key_jwt (RFC 7523, OIDC Core 1.0 section 9): from the
registered `jwks` (parsed once per distinct JWK Set) or fetched from `jwks_uri`.

Fetched key sets are kept per URI, and one slow or dead `jwks_uri` costs only its own client:
- no lock is shared between URIs, and none is held by one client's request for another's;
- one fetch per URI at a time (single flight): concurrent requests of that client wait for
  the fetch in flight (at most the fetch budget, `[oidc] jwks_uri_fetch_seconds`) instead of
  each starting their own;
- a set older than `jwks_uri_cache_seconds` is refreshed in the background while requests
  go on with the keys already known (stale while revalidate); an unknown `kid` makes the
  request fetch again at once, at most once a minute per URI;
- a failed fetch is not tried again for `RETRY_SECONDS`, and known keys are used for at most
  `MAX_STALE_SECONDS` past their age while the URI keeps failing.
Every fetch goes through the guarded outbound client (`infra.outbound`): public https hosts
only, a total time budget, 64 KiB at most, and errors that say nothing about the network.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from idp.oidc.errors import InvalidClient
from infra.jws_algorithms import registered_name
from infra.outbound import Outbound, OutboundError

log = logging.getLogger(__name__)

MAX_JWKS_BYTES = 64 * 1024
REFETCH_SECONDS = 60.0
RETRY_SECONDS = 10.0
MAX_STALE_SECONDS = 3600.0
_KTY_FOR_ALG = {"ES256": "EC", "ES384": "EC", "RS256": "RSA", "PS256": "RSA", "EdDSA": "OKP"}
UNREACHABLE = ("the client's jwks_uri could not be fetched: it must be a public https URL that "
               "answers with its JWK Set (JSON, at most 64 KiB) within a few seconds")

Fetcher = Callable[[str], Mapping[str, Any]]


@lru_cache(maxsize=1024)
def _parse(jwks_json: str) -> tuple[Key, ...]:
    try:
        return tuple(KeySet.import_key_set(json.loads(jwks_json)).keys)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidClient(f"the client's registered JWK Set cannot be used: {exc}") from None


def parse(jwks: Mapping[str, Any]) -> tuple[Key, ...]:
    """The keys of a JWK Set; the same set is parsed only once per process."""
    return _parse(json.dumps(jwks, sort_keys=True, separators=(",", ":")))


def jwks_fetcher(outbound: Outbound, *, seconds: float) -> Fetcher:
    """GET a jwks_uri through the guarded client, within `seconds` in all, 64 KiB at most."""

    def fetch(uri: str) -> Mapping[str, Any]:
        value = outbound.get_json(uri, accept="application/jwk-set+json, application/json",
                                  total_seconds=seconds, max_bytes=MAX_JWKS_BYTES)
        if not isinstance(value, dict):
            raise OutboundError("content", "the JWK Set is not a JSON object")
        return value

    return fetch


@dataclass
class _Entry:
    """One jwks_uri: its keys (None until a fetch succeeded), when, and its own lock."""

    keys: tuple[Key, ...] | None = None
    fetched: float = 0.0
    failed: float | None = None
    flight: threading.Lock = field(default_factory=threading.Lock)


class RemoteKeySets:
    """jwks_uri documents shared by the threads of one process (see the module's docstring)."""

    def __init__(self, *, ttl: float, fetch: Fetcher, budget: float = 3.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.fetch = fetch
        self.budget = budget
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        self._index = threading.Lock()  # guards the dict only; never held during a fetch

    def _entry(self, uri: str) -> _Entry:
        with self._index:
            entry = self._entries.get(uri)
            if entry is None:
                entry = self._entries[uri] = _Entry()
            return entry

    def keys(self, uri: str, *, kid: str | None) -> tuple[Key, ...]:
        entry = self._entry(uri)
        now = self.clock()
        known = entry.keys
        if known is not None and now - entry.fetched > self.ttl + MAX_STALE_SECONDS:
            known = None  # too old to stand in for the client's current keys
        if known is not None:
            age = now - entry.fetched
            has_kid = kid is None or any(k.kid == kid for k in known)
            if has_kid:
                if age >= self.ttl and not self._failed_recently(entry, now):
                    self._refresh_in_background(uri, entry)
                return known
            if age < REFETCH_SECONDS or self._failed_recently(entry, now):
                return known  # the signature check will say the key is unknown
        elif self._failed_recently(entry, now):
            raise InvalidClient(UNREACHABLE)
        # The request needs a fetch: make it, or wait for the one in flight.
        if entry.flight.acquire(timeout=self.budget + 1.0):
            try:
                settled = entry.fetched > now or (entry.failed is not None and entry.failed >= now)
                if not settled:  # nobody fetched it (well or not) while this request waited
                    self._fetch(uri, entry)
            finally:
                entry.flight.release()
        if entry.keys is None or self.clock() - entry.fetched > self.ttl + MAX_STALE_SECONDS:
            raise InvalidClient(UNREACHABLE)
        return entry.keys

    def _failed_recently(self, entry: _Entry, now: float) -> bool:
        return entry.failed is not None and now - entry.failed < RETRY_SECONDS

    def _fetch(self, uri: str, entry: _Entry) -> None:
        """One fetch (the caller holds the entry's flight lock); failures keep the old keys."""
        try:
            keys = parse(self.fetch(uri))
        except (OutboundError, InvalidClient) as exc:
            entry.failed = self.clock()
            log.info("jwks_uri fetch failed", extra={"uri": uri.split("?", 1)[0][:300],
                                                     "reason": getattr(exc, "reason", "jwks"),
                                                     "detail": getattr(exc, "detail", str(exc))})
            return
        entry.keys, entry.fetched, entry.failed = keys, self.clock(), None

    def _refresh_in_background(self, uri: str, entry: _Entry) -> None:
        if not entry.flight.acquire(blocking=False):
            return  # a fetch is in flight already

        def run() -> None:
            try:
                self._fetch(uri, entry)
            finally:
                entry.flight.release()

        threading.Thread(target=run, name="cedula-jwks-refresh", daemon=True).start()


def candidates(keys: tuple[Key, ...], *, kid: str | None, alg: str) -> list[Key]:
    """RFC 7515 section 4.1.4: the key named by kid, else every key of the alg's type; either way
    only a key meant for signatures (RFC 7517 section 4.2 `use`, 4.3 `key_ops`) and, when the key
    names its algorithm, for this one (section 4.4; RFC 8725 section 3.1: one key, one algorithm)."""
    kty = _KTY_FOR_ALG.get(alg)
    return [k for k in keys
            if k.key_type == kty and (kid is None or k.kid == kid) and _verifies(k, alg)]


def _verifies(key: Key, alg: str) -> bool:
    ops = key.get("key_ops")
    return (key.get("use", "sig") == "sig" and registered_name(key.get("alg", alg)) == alg
            and (ops is None or (isinstance(ops, list) and "verify" in ops)))
