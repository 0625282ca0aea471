"""What the agency received, written for people: labels, dates and levels in words.

A portal shows the citizen what Cédula shared with it (OIDC Core section 5.1 claims), not the
raw token: `birthdate` as a date in the citizen's language, `acr` as the level's name, `amr`
as the ways they proved it was them, `auth_time` as a time. Protocol-only claims (`iss`,
`aud`, `exp`, `nonce`, hashes) say nothing to a citizen and are left out. Times are written in
the citizen's time zone (the device's, when the portal knows it), else with their offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from babel.dates import format_date

from clients.portal.texts import TEXTS, text_in
from infra.i18n import Formats

ACR_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
LEVELS = {  # acr URI (eIDAS) -> rank and message key
    "http://eidas.europa.eu/LoA/low": (1, "level_low"),
    ACR_SUBSTANTIAL: (2, "level_substantial"),
    "http://eidas.europa.eu/LoA/high": (3, "level_high"),
}
METHODS = {"hwk": "amr_hwk", "swk": "amr_swk", "user": "amr_user", "pin": "amr_pin", "fpt": "amr_fpt",
           "face": "amr_face", "mfa": "amr_mfa", "pop": "amr_pop"}
ORDER = ("given_name", "family_name", "birthdate", "national_id", "email", "acr", "amr", "auth_time", "sub")
HIDDEN = {"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "s_hash", "sid", "azp", "jti",
          "email_verified"}


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: str


def level_rank(claims: dict[str, Any]) -> int:
    """0 when `acr` is missing or unknown: never more than the ID token says."""
    return LEVELS.get(str(claims.get("acr", "")), (0, ""))[0]


def moment_text(moment: datetime, language: str, time_zone: tzinfo = UTC, *, offset: bool = True) -> str:
    """`4 de diciembre de 2025, 22:00` in `time_zone`; with `offset`, the zone's offset after it
    (`(GMT-06:00)`) for a zone that may not be the reader's."""
    local = Formats.of(language, time_zone)
    text = local.datetime(moment, "long")
    return f"{text} ({local.offset(moment)})" if offset else text


def _value(name: str, value: Any, claims: dict[str, Any], language: str, time_zone: tzinfo, offset: bool) -> str:
    if name == "birthdate":
        try:
            return format_date(date.fromisoformat(str(value)), format="long", locale=language)
        except ValueError:
            return str(value)
    if name == "acr":
        level = LEVELS.get(str(value))
        return text_in(language, level[1]) if level else text_in(language, "level_unknown")
    if name == "amr":
        methods = value if isinstance(value, list) else [value]
        return ", ".join(text_in(language, METHODS[m]) if m in METHODS else str(m) for m in methods)
    if name == "auth_time" and isinstance(value, int | float) and not isinstance(value, bool):
        return moment_text(datetime.fromtimestamp(value, tz=UTC), language, time_zone, offset=offset)
    if name == "email":
        verified = claims.get("email_verified")
        suffix = text_in(language, "email_verified") if verified is True else \
            text_in(language, "email_unverified") if verified is False else ""
        return f"{value} ({suffix})" if suffix else str(value)
    if isinstance(value, bool):
        return text_in(language, "yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def describe(claims: dict[str, Any], language: str, time_zone: tzinfo = UTC, *, offset: bool = True) -> list[Row]:
    """The claims a citizen should see, in a stable order, each with a label and a readable value;
    times in `time_zone` (with its offset unless `offset` is False: the reader's own zone)."""
    names = [n for n in ORDER if n in claims] + sorted(n for n in claims if n not in ORDER and n not in HIDDEN)
    return [Row(name, TEXTS[language].get(f"claim_{name}", name),
                _value(name, claims[name], claims, language, time_zone, offset))
            for name in names if claims[name] not in (None, "")]
