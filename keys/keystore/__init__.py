"""Key stores: where private keys live (`software` or `pkcs11`)."""

from __future__ import annotations

from keys.keystore.base import GeneratedKey, KeyRef, KeyStore

__all__ = ["GeneratedKey", "KeyRef", "KeyStore"]
