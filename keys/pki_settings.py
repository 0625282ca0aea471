"""`[pki]` checked when the PKI is built: a value that cannot work is a ConfigError naming the
setting when the app starts, not a traceback when `cedula pki init` or a renewal reads it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.config import MAX_SECONDS, Section, read_section
from keys.algorithms import ALGORITHMS, KeyAlgorithm, algorithm

# the longest lifetime a [pki] setting may give (a hundred years; a root's is 20 by default)
MAX_CERTIFICATE_DAYS = 36600
DAYS = ("root_days", "issuing_days", "service_days", "responder_days", "renew_before_days", "root_crl_days",
        "seal_days")
# RFC 5280 appendix A: countryName is two letters (ISO 3166-1 alpha-2), organizationName at most
# ub-organization-name (64) characters.
COUNTRY = re.compile(r"[A-Z]{2}")
MAX_ORGANIZATION = 64


def checked_algorithms(settings: Mapping[str, Any]) -> tuple[KeyAlgorithm, KeyAlgorithm]:
    """The CA and end-entity key algorithms of `[pki]`, after checking every lifetime in it:
    1e15 days stopped `cedula pki init` with an OverflowError, -1 made a certificate that
    expires before it starts."""
    section = read_section(settings, "pki")
    for key in DAYS:
        section.whole(key, minimum=1, maximum=MAX_CERTIFICATE_DAYS, unit="days")
    section.whole("citizen_minutes", minimum=1, maximum=MAX_CERTIFICATE_DAYS * 1440, unit="minutes")
    section.whole("crl_hours", minimum=1, maximum=MAX_CERTIFICATE_DAYS * 24, unit="hours")
    section.whole("crl_cache_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds")
    _names(section)
    return (algorithm(section.choice("algorithm", tuple(ALGORITHMS))),
            algorithm(section.choice("end_entity_algorithm", tuple(ALGORITHMS))))


def _names(section: Section) -> None:
    """The country and organisation every CA certificate names: `country = "Salvador"` made a
    root (twenty years) whose countryName breaks RFC 5280; an empty organisation one without it."""
    if not COUNTRY.fullmatch(str(section.values.get("country", ""))):
        raise section._refuse("country", "an ISO 3166 country code of two capital letters (e.g. SV)")
    organization = section.values.get("organization")
    if not isinstance(organization, str) or not 1 <= len(organization.strip()) <= MAX_ORGANIZATION:
        raise section._refuse("organization", f"the organisation's name, 1 to {MAX_ORGANIZATION} characters")
