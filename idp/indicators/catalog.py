"""What is counted: each indicator's kind, what its dimension holds, and the helpers that turn
an event's facts into a dimension (no personal data: levels, kinds, results, steps).

Kinds are stable names: they are stored (`infra_indicators.kind`), exported and served to
agencies, so a kind is renamed only with a migration of its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    dimension: str  # what the dimension holds: "level", "authenticator", "result", "step", ...
    agency: bool    # counted per agency (else for the platform as a whole)


KINDS: tuple[Kind, ...] = (
    Kind("signin.level", "level", True),                  # sign-ins to an agency, by level reached
    Kind("signin.authenticator", "authenticator", True),  # ... by kind of authenticator
    Kind("enrolment", "", False),                         # new citizens (passkey created at enrolment)
    Kind("proofing.raised", "method", False),             # identity proofing raised, by method
    Kind("consent.given", "", True),
    Kind("consent.narrowed", "", True),                   # a new decision sharing less than before
    Kind("consent.withdrawn", "", True),
    Kind("consent.data", "claim", True),                  # kinds of data in the consents given
    Kind("token.issued", "grant_type", True),
    Kind("document.issued", "template", True),
    Kind("signature.made", "", True),                     # documents the citizens signed (for an agency or not)
    Kind("verification", "result", False),                # verifications, by overall indication
    Kind("backchannel", "result", True),                  # back-channel logout deliveries ok/failed
    Kind("error", "kind", False),                         # errors answered, by status and endpoint
    Kind("funnel.enrolment", "step", True),               # started -> passkey -> first_signin
    Kind("funnel.authorization", "step", True),           # authorize -> consent -> code
)
BY_NAME: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}

FUNNELS: Mapping[str, tuple[str, ...]] = {
    "funnel.enrolment": ("started", "passkey", "first_signin"),
    "funnel.authorization": ("authorize", "consent", "code"),
}

# The headline series of the dashboard and the transparency page.
HEADLINES: tuple[str, ...] = ("signin.level", "consent.given", "consent.withdrawn", "token.issued",
                              "document.issued", "verification")


def authenticator(amr: Iterable[str]) -> str:
    """RFC 8176 values of a sign-in -> its kind of authenticator: a device-bound passkey (hwk),
    a synced one (swk), a recovery code (otp), or other."""
    values = set(amr)
    for kind in ("hwk", "swk", "otp"):
        if kind in values:
            return kind
    return "other"


def level_of(acr: str | None, acr_uris: Mapping[str, str]) -> str:
    """The level name of an acr URI (`oidc.acr_*`), or "unknown"."""
    for level, uri in acr_uris.items():
        if uri == acr:
            return level
    return "unknown"
