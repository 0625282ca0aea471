"""The provider's own secret, from which every HMAC key is derived (HKDF, RFC 5869).

It comes from CEDULA_SERVER_SECRET_KEY (base64url, at least 32 bytes) or, in the embedded
default, from `<data_dir>/secret.key`, created once with mode 0600. Each purpose (CSRF,
recovery codes, session ids, pairwise subjects) gets its own derived key, so one leaked
key does not give the others.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask

from infra.components import Slot
from infra.config import ConfigError, Settings
from infra.jose import b64url_decode

FILE_NAME = "secret.key"


def _read_or_create(path: Path) -> bytes:
    """The secret in `path`, made once. A data folder that is a file, or a secret.key that is a
    folder or cannot be read, is a ConfigError naming server.data_dir (a traceback, before)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            data = path.read_bytes()
            if len(data) < 32:
                raise ConfigError(f"{path} is shorter than 32 bytes; delete it to create a new one") from None
            return data
        value = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as fh:
            fh.write(value)
        return value
    except OSError as exc:
        raise ConfigError(f"server.data_dir {str(path.parent)!r} holds no usable {path.name} ({exc.strerror}: "
                          f"{exc.filename}): make it a folder this user can write, with {path.name} a file it "
                          "can read (mode 0600), or set CEDULA_SERVER_SECRET_KEY") from None


def master_secret(settings: Settings) -> bytes:
    configured = str(settings["server"].get("secret_key", ""))
    if configured:
        try:
            value = b64url_decode(configured, padding=True)
        except ValueError:
            raise ConfigError("server.secret_key must be base64url") from None
        if len(value) < 32:
            raise ConfigError("server.secret_key must decode to at least 32 bytes")
        return value
    return _read_or_create(settings.data_dir / FILE_NAME)


def derive(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"cedula/{purpose}".encode()).derive(master)


class AppSecrets:
    """Derived keys by purpose, computed once per process."""

    def __init__(self, master: bytes) -> None:
        self._master = master
        self._keys: dict[str, bytes] = {}

    def key(self, purpose: str) -> bytes:
        if purpose not in self._keys:
            self._keys[purpose] = derive(self._master, purpose)
        return self._keys[purpose]


SECRETS: Slot[AppSecrets] = Slot("secrets")


def get_secrets(app: Flask | None = None) -> AppSecrets:
    """The derived keys of `app` (default: the current application)."""
    return SECRETS.of(app)
