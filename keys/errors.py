"""One error family for the whole package: catch `KeyStoreError` to catch any key failure.

Messages say what was expected and what was found, and never contain key material.
"""

from __future__ import annotations


class KeyStoreError(Exception):
    """Base of every error raised by `keys`."""


class KeyStoreUnavailable(KeyStoreError):
    """The key store cannot be opened (missing master key, token not found, wrong PIN)."""


class KeyNotFound(KeyStoreError):
    """No key, certificate or signing key matches what was asked for."""


class PkiNotInitialised(KeyStoreError):
    """The document PKI does not exist yet: run `cedula pki init`."""


class RotationPending(KeyStoreError):
    """A next signing key is already published and not yet active."""


class InvalidJwt(KeyStoreError):
    """A JWT is malformed, has a bad signature, or its claims do not hold."""


class InvalidRequest(KeyStoreError):
    """Input to a PKI operation is not acceptable (unknown reason, bad serial, ...)."""
