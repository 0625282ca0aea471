"""Authentication Method Reference values (RFC 8176 section 2) of a passkey sign-in."""

from __future__ import annotations

from collections.abc import Iterable

# FIDO Metadata Statement userVerificationMethod (FIDO Registry of Predefined Values,
# section 3.1) -> RFC 8176 value. Methods without an RFC 8176 value are left out.
UV_METHODS: dict[str, str] = {
    "passcode_internal": "pin",
    "passcode_external": "pin",
    "fingerprint_internal": "fpt",
    "faceprint_internal": "face",
    "eyeprint_internal": "iris",
    "voiceprint_internal": "vbm",
}
_USER_VERIFICATION = {"mfa", "pin", "fpt", "face", "iris", "retina", "vbm"}
_POSSESSION = {"hwk", "swk"}


def methods(*, backup_eligible: bool, user_verified: bool,
            uv_method: str | None = None) -> tuple[str, ...]:
    """RFC 8176 section 2: `swk` for a synced (backup eligible) passkey, `hwk` for a
    device-bound one; `user` for the presence test every ceremony requires; the verification
    method (`pin`, `fpt`, ...) when the authenticator's metadata names only one; `mfa` when the
    user was verified (possession plus knowledge or inherence)."""
    values = ["swk" if backup_eligible else "hwk", "user"]
    if user_verified:
        if uv_method in _USER_VERIFICATION:
            values.append(uv_method)
        values.append("mfa")
    return tuple(values)


def single_uv_method(details: Iterable[Iterable[str]]) -> str | None:
    """The RFC 8176 value of the one user verification method an authenticator offers.

    `details` is the metadata statement's userVerificationDetails (alternatives, each a
    combination of methods). With several alternatives nothing says which one was used,
    so only a single verification method (besides presence) is reported.
    """
    found: set[str] = set()
    for combination in details:
        names = {m for m in combination if m not in ("presence_internal", "none")}
        if not names:
            continue
        found.add("+".join(sorted(names)))
    if len(found) != 1:
        return None
    only = found.pop()
    return UV_METHODS.get(only)


def user_verified(amr: Iterable[str]) -> bool:
    return bool(set(amr) & _USER_VERIFICATION)


def possession(amr: Iterable[str]) -> bool:
    return bool(set(amr) & _POSSESSION)


def wallet(amr: Iterable[str]) -> bool:
    """A sign-in with a PID from a wallet (`idp.wallet.sign_in.AMR`): `pop` with user
    verification. An EUDI wallet is certified at eIDAS LoA high (Regulation (EU) 2024/1183,
    article 5a(11)); no passkey sign-in reports `pop`."""
    methods = set(amr)
    return "pop" in methods and user_verified(methods)


__all__ = ["UV_METHODS", "methods", "possession", "single_uv_method", "user_verified", "wallet"]
