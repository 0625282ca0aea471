"""The key-encryption key (KEK) of the software store: 32 bytes, never in the database.

From `keys.master_key` (CEDULA_MASTER_KEY, base64url) or from `<data_dir>/master.key`, a file
of mode 0600 created by `cedula keys init` (or on first use of an empty store).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from infra.jose import b64url_decode
from keys.errors import KeyStoreUnavailable

FILE_NAME = "master.key"
KEY_BYTES = 32


def master_key_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def decode_master_key(value: str) -> bytes:
    try:
        raw = b64url_decode(value, padding=True)
    except ValueError:
        raise KeyStoreUnavailable("keys.master_key (CEDULA_MASTER_KEY) must be base64url") from None
    if len(raw) != KEY_BYTES:
        raise KeyStoreUnavailable(
            f"keys.master_key (CEDULA_MASTER_KEY) must decode to {KEY_BYTES} bytes, got {len(raw)}"
        )
    return raw


def read_master_key(path: Path) -> bytes | None:
    """The KEK from its file, or None when there is no file. Refuses a file others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if mode & 0o077:
        raise KeyStoreUnavailable(
            f"{path} is readable by other users (mode {mode & 0o777:o}); run chmod 600 {path}"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:  # a folder, a file this user cannot read: a traceback, before
        raise _unreadable(path, exc) from None
    if len(raw) != KEY_BYTES:
        raise KeyStoreUnavailable(f"{path} must hold {KEY_BYTES} bytes, it holds {len(raw)}")
    return raw


def _unreadable(path: Path, exc: OSError) -> KeyStoreUnavailable:
    return KeyStoreUnavailable(
        f"{path} cannot be read ({exc.strerror}): the master key must be a file of {KEY_BYTES} bytes, mode 0600, "
        "that this user can read; restore it from its backup (docs/operations.md, Backups) or set CEDULA_MASTER_KEY")


def create_master_key(path: Path) -> bytes:
    """Write a new random KEK (mode 0600, never overwrites); return the one on disk."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = read_master_key(path)
        assert existing is not None
        return existing
    value = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    return value


def check_value(kek: bytes) -> str:
    """A public fingerprint of the KEK, stored to detect a wrong key before any unwrap fails."""
    return hmac.new(kek, b"cedula/kek-check", hashlib.sha256).hexdigest()[:32]
