"""Subject attributes within RFC 5280's upper bounds (Appendix A.1, counted in characters).

A natural person's registered name stays whole in givenName and surname (ub-name, 32768);
the commonName is one presentation of it, which the CA may choose (ETSI EN 319 412-2, 4.2.4),
kept within ub-common-name. An organisation's legal name cannot be shortened without naming
someone else: one longer than ub-organization-name is refused. An organisation's
organizationIdentifier is in the ETSI EN 319 412-1 section 5.1.4 form.
"""

from __future__ import annotations

import re

from keys.errors import InvalidRequest

UB_COMMON_NAME = 64  # RFC 5280, Appendix A.1
UB_ORGANIZATION_NAME = 64


def person_common_name(given_name: str, surname: str) -> str:
    """The citizen's name as the commonName shows it: "given surname" when it fits; else the
    first given name and the surnames; else that cut at the last whole word that fits, with
    an ellipsis (at most `UB_COMMON_NAME` characters, never empty)."""
    given_name, surname = " ".join(given_name.split()), " ".join(surname.split())
    for candidate in (f"{given_name} {surname}", f"{given_name.split(' ')[0]} {surname}"):
        if len(candidate) <= UB_COMMON_NAME:
            return candidate
    room = candidate[:UB_COMMON_NAME - 1]
    cut = room.rsplit(" ", 1)[0] if " " in room else room
    return f"{cut}…"


def organization_name(value: str) -> str:
    """An agency's legal name as organizationName and commonName carry it, or InvalidRequest."""
    if len(value) > UB_ORGANIZATION_NAME:
        raise InvalidRequest(f"the organization name has {len(value)} characters; at most "
                             f"{UB_ORGANIZATION_NAME} fit a certificate (RFC 5280, "
                             "ub-organization-name): give its registered short form")
    return value


# ETSI EN 319 412-1, 5.1.4: a 3-letter type (VAT, NTR, PSD, LEI; or 2 letters and ':' for a
# national scheme), the 2-letter ISO 3166-1 country code, '-', then the registered identifier.
_ORGANIZATION_IDENTIFIER = re.compile(r"(?:[A-Z]{3}|[A-Z]{2}:)[A-Z]{2}-\S+")
ORGANIZATION_IDENTIFIER_FORM = ("3-letter type (VAT, NTR, PSD, LEI) + 2-letter country + '-' + the "
                                "registered identifier, e.g. NTRSV-0614-010101-001-1 or VATSV-06142006901011 "
                                "(ETSI EN 319 412-1, 5.1.4)")


def organization_identifier(value: str | None, *, option: str | None = None) -> str:
    """An agency's organizationIdentifier in the EN 319 412-1 form, or InvalidRequest (the one
    rule of `Pki.issue_seal` and of `cedula pki issue-seal`, whose `option` the sentence names)."""
    if not value:
        raise InvalidRequest("give the agency's registered identifier"
                             + (f" with {option}" if option else " (organizationIdentifier)")
                             + ", as " + ORGANIZATION_IDENTIFIER_FORM)
    if not _ORGANIZATION_IDENTIFIER.fullmatch(value):
        raise InvalidRequest(f"{option or 'the organizationIdentifier'} {value!r} is not in the form "
                             + ORGANIZATION_IDENTIFIER_FORM)
    return value
