"""base64url without padding (RFC 4648, section 5), as WebAuthn's JSON forms use it."""

from __future__ import annotations

import hashlib

from infra.jose import b64url, b64url_decode

__all__ = ["b64url", "from_b64url", "passkey_mark"]  # b64url: W3C WebAuthn Level 3, section 5.1.8, Base64URLString


def passkey_mark(credential_id: str) -> str:
    """A short, fixed-length name of a passkey (its credential ID, base64url, which may be
    1,364 characters long): the SHA-256 of that text, hex. What a grant records of the passkey
    its session was signed in with, so that deleting the passkey finds it."""
    return hashlib.sha256(credential_id.encode("ascii", "replace")).hexdigest()


def from_b64url(value: object, *, limit: int = 1 << 16) -> bytes:
    """Decode strictly: only the base64url alphabet, optional padding; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"expected a base64url string, got {type(value).__name__}")
    if len(value) > limit * 4 // 3 + 6:
        raise ValueError("expected a base64url string")
    try:
        return b64url_decode(value, padding=True)
    except ValueError:
        raise ValueError("expected a base64url string") from None
