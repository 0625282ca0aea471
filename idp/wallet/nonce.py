"""The Nonce Endpoint (OpenID4VCI 1.0, section 7): a fresh `c_nonce` for key proofs, each
usable once and for `wallet.nonce_seconds`. Also the nonces of presentation requests."""

from __future__ import annotations

import hashlib
import secrets

from infra.store import EphemeralStore as Store

_PREFIX = "wallet:nonce:"


def _key(purpose: str, nonce: str) -> str:
    return _PREFIX + purpose + ":" + hashlib.sha256(nonce.encode()).hexdigest()


def issue(store: Store, *, purpose: str = "vci", ttl: int) -> str:
    nonce = secrets.token_urlsafe(32)
    store.set(_key(purpose, nonce), b"1", ttl)
    return nonce


def take(store: Store, nonce: object, *, purpose: str = "vci") -> bool:
    """True once for a nonce this server issued that has not expired; False after (replay)."""
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 128:
        return False
    return store.take(_key(purpose, nonce)) is not None
