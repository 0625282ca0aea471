"""The account pages' forms: read, normalise and check what people type."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from idp.citizens.services import PASSKEY_NAME_MAX
from idp.webauthn.encoding import from_b64url


def passkey_name(form: Mapping[str, str]) -> str | None:
    """A passkey's new name: 1-64 printable characters, spaces collapsed; None if unusable."""
    raw = form.get("name", "")
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value or len(value) > PASSKEY_NAME_MAX:
        return None
    if any(unicodedata.category(c).startswith("C") for c in value):
        return None
    return value


def credential_id(value: str) -> bytes | None:
    """The credential ID from a URL segment (base64url), or None."""
    try:
        raw = from_b64url(value, limit=1023)
    except ValueError:
        return None
    return raw or None


def enrolment_fields(form: Mapping[str, str]) -> dict[str, str]:
    names = ("given_name", "family_name", "birthdate", "national_id", "email")
    return {name: form.get(name, "") for name in names}
