"""Authenticator models by AAGUID (W3C WebAuthn Level 3, section 6.5.1), to name passkeys.

The names come from `aaguids.toml` beside this module (its header records the sources and
their terms: the community "passkey-authenticator-aaguids" list for passkey providers, FIDO
MDS3 descriptions for security keys). Anything else, including the all-zero AAGUID that
`none` attestation often gives, is just a passkey: `model_name` answers None.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

ZERO = "00000000-0000-0000-0000-000000000000"
DATA = Path(__file__).with_name("aaguids.toml")


@cache
def models() -> dict[str, str]:
    """AAGUID (lower case) -> model name, read once per process."""
    with DATA.open("rb") as handle:
        tables = tomllib.load(handle)
    found: dict[str, str] = {}
    for table in ("providers", "security_keys"):
        found.update({aaguid.lower(): name for aaguid, name in tables.get(table, {}).items()})
    found.pop(ZERO, None)
    return found


def model_name(aaguid: str | None) -> str | None:
    """The authenticator model for this AAGUID, or None when it is unknown or all zeros."""
    if not aaguid:
        return None
    return models().get(aaguid.strip().lower())


__all__ = ["ZERO", "model_name", "models"]
