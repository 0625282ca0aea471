"""Subject attributes within RFC 5280's upper bounds (Appendix A.1, counted in characters).

A natural person's registered name stays whole in givenName and surname (ub-name, 32768);
the commonName is one presentation of it, which the CA may choose (ETSI EN 319 412-2, 4.2.4),
kept within ub-common-name. An organisation's legal name cannot be shortened without naming
someone else: one longer than ub-organization-name is refused.
"""

from __future__ import annotations

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
