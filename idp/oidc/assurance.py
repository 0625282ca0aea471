"""Level of assurance, reported honestly: `acr` (OIDC Core 1.0 section 2) and `amr` (RFC 8176).

The level of a sign-in is the lower of how well the identity was proven (identity proofing)
and how strong the authenticator was (eIDAS, Regulation (EU) 2015/1502, sections 2.1 and 2.2).
Every citizen so far asserted their own identity at enrolment, so proofing is "low".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from idp.oidc.errors import AuthorizationError
from idp.oidc.settings import LEVELS

# Identity proofing of every enrolled citizen: self-asserted data, no document checked.
IDENTITY_PROOFING = "low"

# RFC 8176 section 2: methods that show the user was verified on the authenticator ("mfa":
# the passkey ceremony required user verification, a second factor on top of possession).
_USER_VERIFICATION = {"mfa", "user", "pin", "fpt", "face", "iris", "retina", "vbm"}
_POSSESSION = {"hwk", "swk"}


@dataclass(frozen=True)
class Assurance:
    level: str
    acr: str
    amr: tuple[str, ...]


def authenticator_level(amr: Iterable[str]) -> str:
    """A passkey with user verification (possession + inherence/knowledge) is "substantial"."""
    methods = set(amr)
    if methods & _POSSESSION and methods & _USER_VERIFICATION:
        return "substantial"
    return "low"


def lower(a: str, b: str) -> str:
    return a if LEVELS.index(a) <= LEVELS.index(b) else b


def assess(*, amr: Iterable[str], acr_uris: Mapping[str, str],
           proofing: str = IDENTITY_PROOFING) -> Assurance:
    """The assurance a session gives: level, its acr URI, and the RFC 8176 amr values."""
    methods = tuple(dict.fromkeys(amr))
    level = lower(proofing, authenticator_level(methods))
    return Assurance(level=level, acr=acr_uris[level], amr=methods)


def require(*, requested: Iterable[str], essential: bool, achieved: Assurance,
            acr_uris: Mapping[str, str]) -> None:
    """OIDC Core 3.1.2.1 (acr_values) and 5.5.1.1 (essential acr): refuse what cannot be met.

    A higher level satisfies a lower one. Unknown values are ignored unless the acr claim is
    essential. Unmet requirements are `unmet_authentication_requirements` (OIDC Core errata
    set 2, RFC 9470 section 3); stepping up is left to a later version.
    """
    wanted = list(requested)
    if not wanted:
        return
    by_uri = {uri: level for level, uri in acr_uris.items()}
    known = [by_uri[value] for value in wanted if value in by_uri]
    if not known and not essential:
        return
    rank = LEVELS.index(achieved.level)
    if any(LEVELS.index(level) <= rank for level in known):
        return
    raise AuthorizationError(
        f"the sign-in reached {achieved.acr}; the request asks for {' or '.join(wanted)}",
        error="unmet_authentication_requirements")
