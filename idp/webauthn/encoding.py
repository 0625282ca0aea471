"""base64url without padding (RFC 4648, section 5), as WebAuthn's JSON forms use it."""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url(data: bytes) -> str:
    """Encode without padding (W3C WebAuthn Level 3, section 5.1.8, Base64URLString)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(value: object, *, limit: int = 1 << 16) -> bytes:
    """Decode strictly: only the base64url alphabet, optional padding; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"expected a base64url string, got {type(value).__name__}")
    stripped = value.rstrip("=")
    if len(stripped) > limit * 4 // 3 + 4 or not _ALPHABET.fullmatch(stripped):
        raise ValueError("expected a base64url string")
    if len(stripped) % 4 == 1:
        raise ValueError("base64url string has an impossible length")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("expected a base64url string") from None
