"""One error family for the whole package: catch `KeyStoreError` to catch any key failure.

Messages say what was expected and what was found, and never contain key material.
"""

from __future__ import annotations


class KeyStoreError(Exception):
    """Base of every error raised by `keys`."""


class KeyStoreUnavailable(KeyStoreError):
    """The key store cannot be opened (missing master key, token not found, wrong PIN)."""

    def sentence(self, backend: str) -> str:
        """What a command stopped by this says: what failed and what to check (`backend`: the
        `keys.backend` setting), for an operator at a terminal."""
        if backend == "pkcs11":
            fix = ("check CEDULA_PKCS11_MODULE, CEDULA_PKCS11_TOKEN and CEDULA_PKCS11_PIN (keys.pkcs11_module, "
                   "keys.pkcs11_token, keys.pkcs11_pin) and that the HSM answers")
        else:
            fix = ("check CEDULA_KEYSTORE (keys.backend) and that the master key (CEDULA_MASTER_KEY, or "
                   "master.key in CEDULA_DATA_DIR) is there and readable; restore it from the backup if it was lost")
        return f"the key store cannot be used ({self}): {fix}, then run the command again"


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
