"""base64url without padding (RFC 4648, section 5), as WebAuthn's JSON forms use it."""

from __future__ import annotations

from infra.jose import b64url, b64url_decode

__all__ = ["b64url", "from_b64url"]  # b64url: W3C WebAuthn Level 3, section 5.1.8, Base64URLString


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
