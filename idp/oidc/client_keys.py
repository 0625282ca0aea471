"""Client public keys for private_key_jwt (RFC 7523, OIDC Core 1.0 section 9): from the
registered `jwks` (parsed once per distinct JWK Set) or fetched from `jwks_uri` (cached, and
fetched again early when a `kid` is unknown, at most once a minute).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import requests
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from idp.oidc.errors import InvalidClient

MAX_JWKS_BYTES = 64 * 1024
REFETCH_SECONDS = 60.0
_KTY_FOR_ALG = {"ES256": "EC", "ES384": "EC", "RS256": "RSA", "PS256": "RSA", "EdDSA": "OKP"}

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


def fetch_jwks(uri: str) -> Mapping[str, Any]:
    """GET the client's jwks_uri: no redirects, 5 s timeout, at most 64 KiB."""
    response = requests.get(uri, timeout=5, allow_redirects=False, stream=True,
                            headers={"Accept": "application/jwk-set+json, application/json"})
    try:
        response.raise_for_status()
        body = response.raw.read(MAX_JWKS_BYTES + 1, decode_content=True)
    finally:
        response.close()
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("the JWK Set is larger than 64 KiB")
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("the JWK Set is not a JSON object")
    return value


class RemoteKeySets:
    """Cache of jwks_uri documents, shared by the threads of one process."""

    def __init__(self, *, ttl: float, fetch: Fetcher = fetch_jwks) -> None:
        self.ttl = ttl
        self.fetch = fetch
        self._entries: dict[str, tuple[float, tuple[Key, ...]]] = {}
        self._lock = threading.Lock()

    def keys(self, uri: str, *, kid: str | None) -> tuple[Key, ...]:
        now = time.monotonic()
        entry = self._entries.get(uri)
        if entry is not None:
            fetched, keys = entry
            fresh = now - fetched < self.ttl
            known = kid is None or any(k.kid == kid for k in keys)
            if fresh and (known or now - fetched < REFETCH_SECONDS):
                return keys
        with self._lock:
            try:
                keys = parse(self.fetch(uri))
            except InvalidClient:
                raise
            except Exception as exc:  # network, HTTP status or JSON: the client's to fix
                raise InvalidClient(f"the client's jwks_uri could not be fetched: {exc}") from None
            self._entries[uri] = (time.monotonic(), keys)
            return keys


def candidates(keys: tuple[Key, ...], *, kid: str | None, alg: str) -> list[Key]:
    """RFC 7515 section 4.1.4: the key named by kid, else every key of the alg's type."""
    kty = _KTY_FOR_ALG.get(alg)
    if kid is not None:
        return [k for k in keys if k.kid == kid and k.key_type == kty]
    return [k for k in keys if k.key_type == kty and k.get("use", "sig") == "sig"]
