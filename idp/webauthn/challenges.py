"""Ceremony state, kept in the ephemeral store under its challenge and usable once.

W3C WebAuthn Level 3, section 13.4.3: challenges are random (32 bytes here), issued by
the relying party, and each verified once. The state records what the ceremony is for
(enrolment, adding a passkey, signing in, a signed-in citizen's re-check), for whom, the pending enrolment data,
and the credentials the options named in allowCredentials, if they named any (section 7.2, step 5).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from idp.webauthn.encoding import b64url
from idp.webauthn.errors import CredentialNotAllowed, WebAuthnError
from infra.store import EphemeralStore

Purpose = Literal["enrol", "add", "sign-in", "recheck", "assisted"]

PREFIX = "webauthn:challenge:"
# The state outlives the challenge a little, so an expired challenge says "expired"
# rather than "unknown".
GRACE_SECONDS = 120
CHALLENGE_BYTES = 32


@dataclass(frozen=True)
class Ceremony:
    purpose: Purpose
    challenge: bytes
    expires: float
    citizen_id: str | None = None
    user_handle: bytes | None = None
    enrolment: dict[str, Any] | None = field(default=None)
    allowed: tuple[str, ...] | None = None
    """The credential ids (base64url) the options' allowCredentials named; None: any."""

    def to_json(self) -> bytes:
        return json.dumps({
            "purpose": self.purpose,
            "expires": self.expires,
            "citizen_id": self.citizen_id,
            "user_handle": self.user_handle.hex() if self.user_handle else None,
            "enrolment": self.enrolment,
            "allowed": list(self.allowed) if self.allowed is not None else None,
        }).encode()

    @classmethod
    def from_json(cls, challenge: bytes, raw: bytes) -> Ceremony:
        data = json.loads(raw)
        return cls(
            purpose=data["purpose"],
            challenge=challenge,
            expires=float(data["expires"]),
            citizen_id=data.get("citizen_id"),
            user_handle=bytes.fromhex(data["user_handle"]) if data.get("user_handle") else None,
            enrolment=data.get("enrolment"),
            allowed=tuple(data["allowed"]) if data.get("allowed") is not None else None,
        )


def issue(store: EphemeralStore, *, purpose: Purpose, ttl: float, now: float,
          citizen_id: str | None = None, user_handle: bytes | None = None,
          enrolment: dict[str, Any] | None = None, allowed: tuple[str, ...] | None = None) -> Ceremony:
    """Create a fresh challenge and keep the ceremony's state under it."""
    ceremony = Ceremony(purpose=purpose, challenge=secrets.token_bytes(CHALLENGE_BYTES),
                        expires=now + ttl, citizen_id=citizen_id, user_handle=user_handle,
                        enrolment=enrolment, allowed=allowed)
    store.set(PREFIX + b64url(ceremony.challenge), ceremony.to_json(), ttl + GRACE_SECONDS)
    return ceremony


def require_allowed(allowed: tuple[str, ...] | None, credential_id: bytes) -> None:
    """Section 7.2, step 5: options that named credentials in allowCredentials (`allowed`,
    base64url ids; None: they named none) are answered by one of them, or CredentialNotAllowed."""
    if allowed is not None and b64url(credential_id) not in allowed:
        raise CredentialNotAllowed("the credential is not one of those allowCredentials named "
                                   f"({len(allowed)}): use one that reaches the level asked")


def take(store: EphemeralStore, *, challenge: bytes, purposes: set[str], now: float) -> Ceremony:
    """The ceremony this challenge was issued for, removed so it cannot be used again.

    Raises WebAuthnError `invalid_challenge` (never issued, already used, or issued for
    another kind of ceremony) or `challenge_expired`.
    """
    if not challenge or len(challenge) != CHALLENGE_BYTES:
        raise WebAuthnError("invalid_challenge",
                            f"the challenge must be {CHALLENGE_BYTES} bytes issued by this "
                            f"provider; got {len(challenge)} bytes")
    raw = store.take(PREFIX + b64url(challenge))
    if raw is None:
        raise WebAuthnError("invalid_challenge",
                            "the challenge was not issued by this provider or was already used")
    ceremony = Ceremony.from_json(challenge, raw)
    if ceremony.purpose not in purposes:
        raise WebAuthnError("invalid_challenge",
                            f"the challenge was issued for {ceremony.purpose!r}, expected one of "
                            f"{sorted(purposes)}")
    if now > ceremony.expires:
        raise WebAuthnError("challenge_expired", "the challenge has expired; start again")
    return ceremony
