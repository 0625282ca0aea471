"""The consent step's logic (OIDC Core 1.0 section 3.1.2.4), free of Flask and the database.

What a request asks for is a list of items: `sub` (always required: without it there is no
sign-in), each citizen claim (required when the agency marked it essential in the `claims`
parameter, OIDC Core 5.5.1; optional otherwise, including every claim asked for only by
scope), and `offline_access` (optional). An earlier decision answers an item when the citizen
allowed it, or declined it while it was optional. The page asks only about unanswered items,
or about all of them with `prompt=consent`.

The OpenID Provider builds the `Asked` of a request from its scopes and `claims` parameter
(`idp.oidc.interaction_policy.asked`); this module knows items by name only, and imports
nothing of `idp.oidc`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SUB = "sub"


@dataclass(frozen=True)
class Asked:
    """What one authorization request asks the citizen to share."""

    items: tuple[str, ...]  # "sub", citizen claims in display order, then "offline_access"
    essential: frozenset[str]

    def required(self, name: str) -> bool:
        return name == SUB or name in self.essential


@dataclass(frozen=True)
class Prior:
    """The citizen's standing decision for this agency (an active, unexpired consent)."""

    granted: frozenset[str]
    declined: frozenset[str]


@dataclass(frozen=True)
class Decision:
    """The outcome of the page: what this authorization releases, and the new standing decision."""

    granted_now: frozenset[str]
    claims: frozenset[str]
    declined: frozenset[str]


def _answered(prior: Prior, request: Asked, name: str) -> bool:
    return name in prior.granted or (name in prior.declined and not request.required(name))


def covered(prior: Prior | None, request: Asked) -> frozenset[str] | None:
    """What to release when the standing decision answers every item; None: ask."""
    if prior is None or not all(_answered(prior, request, name) for name in request.items):
        return None
    return frozenset(name for name in request.items if name in prior.granted)


def to_ask(prior: Prior | None, request: Asked, *, again: bool) -> tuple[str, ...]:
    """The items the page asks about (all of them with prompt=consent or no standing decision)."""
    if again or prior is None:
        return request.items
    return tuple(name for name in request.items if not _answered(prior, request, name))


def decide(prior: Prior | None, request: Asked, *, shown: Iterable[str], ticked: Iterable[str]) -> Decision:
    """Apply the citizen's answer: required items shown are allowed, optional ones if ticked.

    Ticks for anything not shown as optional are ignored: the form cannot widen the request.
    """
    shown = [name for name in shown if name in request.items]
    ticked = set(ticked)
    allowed = {name for name in shown if request.required(name) or name in ticked}
    refused = {name for name in shown if name not in allowed}
    old_granted = prior.granted if prior else frozenset()
    old_declined = prior.declined if prior else frozenset()
    claims = (old_granted - refused) | allowed
    declined = (old_declined - allowed) | refused
    return Decision(granted_now=frozenset(n for n in request.items if n in claims),
                    claims=frozenset(claims), declined=frozenset(declined))
