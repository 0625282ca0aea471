"""An authorization request in progress while the citizen signs in and decides, kept in the
ephemeral store under a random id (it never travels in cookies or hidden fields).

A request answered at once (a code for a signed-in citizen whose consent stands, or an error)
is never stored: `begin` makes it, and only a step that sends the citizen somewhere and back
(sign-in, account choice, step-up, the decision page) `save`s it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, fields, replace
from typing import Any, TypedDict, Unpack

from idp.oidc.request import AuthorizationRequest
from infra.store import EphemeralStore

PREFIX = "oidc:interaction:"


@dataclass(frozen=True)
class Interaction:
    id: str
    request: AuthorizationRequest
    # Set when the citizen was sent to sign in again (prompt=login, max_age): only a sign-in
    # at or after this time satisfies the request.
    login_after: float | None = None
    # prompt=select_account: the citizen has chosen which identity to continue with.
    account_chosen: bool = False
    # The SSO session the decision page was shown to; only that session may answer it.
    shown_to: str | None = None
    # The level of assurance the citizen was sent to sign in again for (RFC 9470 step-up);
    # a second shortfall is answered with unmet_authentication_requirements, never a loop.
    step_up: str | None = None
    # The SHA-256 (hex) of the binding value of the browser that started the request
    # (`idp.oidc.interaction_binding`): only that browser continues it.
    browser: str = ""
    # The language the decision page was shown in: the decision is recorded in it (the agency's
    # name and purpose in the consent, its receipt and the log are the ones the citizen read),
    # whatever the `lang` cookie says by the time the answer comes.
    shown_language: str | None = None

    def to_json(self) -> bytes:
        # Every value is a JSON value already: one level of copying (dataclasses.asdict copies
        # every list and dict of the request again, deeply).
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["request"] = {f.name: getattr(self.request, f.name) for f in fields(self.request)}
        return json.dumps(data).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Interaction:
        data = json.loads(raw)
        data["request"] = AuthorizationRequest(**data["request"])
        return cls(**data)


class InteractionGone(Exception):
    """The interaction changed or was taken since it was read (answered in a second tab, a
    double submit, run out): a step that read it must not store it again."""


def begin(request: AuthorizationRequest, *, browser: str = "") -> Interaction:
    """A new interaction for a validated request, not stored yet and without an id: `save`
    gives it one (most requests are answered at once and never need it). `browser`: the
    digest of the binding of the browser that sent the request."""
    return Interaction(id="", request=request, browser=browser)


def save(store: EphemeralStore, interaction: Interaction, *, ttl: int) -> Interaction:
    """Keep a new `interaction` for `ttl` seconds, for the citizen's way back to it; the
    interaction as kept, with its new random id. One kept already is changed with `update`."""
    if interaction.id:
        raise ValueError("save keeps a new interaction: change a kept one with update")
    interaction = replace(interaction, id=secrets.token_urlsafe(24))
    store.set(PREFIX + interaction.id, interaction.to_json(), ttl)
    return interaction


def load(store: EphemeralStore, interaction_id: str | None) -> Interaction | None:
    if not interaction_id or len(interaction_id) > 64:
        return None
    raw = store.get(PREFIX + interaction_id)
    return Interaction.from_json(raw) if raw is not None else None


class Changes(TypedDict, total=False):
    """What a step of the interaction may change (the fields of `Interaction` after `request`)."""

    login_after: float | None
    account_chosen: bool
    shown_to: str | None
    step_up: str | None
    shown_language: str | None


def update(store: EphemeralStore, interaction: Interaction, *, ttl: int, **changes: Unpack[Changes]) -> Interaction:
    """`interaction` with `changes`, saved (stored for the first time if it was not yet: use
    the interaction returned, it has the id). A kept one is changed only if it is still as it
    was read (compare-and-set): one taken meanwhile (answered by a concurrent request) is never
    brought back, and InteractionGone is raised."""
    changed = replace(interaction, **changes)
    if not interaction.id:
        return save(store, changed, ttl=ttl)
    return replace_kept(store, interaction, changed, ttl=ttl)


def replace_kept(store: EphemeralStore, read: Interaction, changed: Interaction, *, ttl: int) -> Interaction:
    """Store `changed` in place of the kept interaction `read`, only if it still holds what was
    read; raises InteractionGone otherwise."""
    if changed.id != read.id or not read.id:
        raise ValueError("an interaction keeps its id")
    if not store.compare_and_set({PREFIX + read.id: (read.to_json(), changed.to_json())}, ttl):
        raise InteractionGone(read.id)
    return changed


def finish(store: EphemeralStore, interaction_id: str) -> Interaction | None:
    """Take the interaction (single use): a decision is answered once."""
    raw = store.take(PREFIX + interaction_id)
    return Interaction.from_json(raw) if raw is not None else None


def extend(store: EphemeralStore, interaction_id: str | None, *, ttl: float) -> bool:
    """Keep the interaction `ttl` seconds more from now (the citizen asked for more time on its
    page); False if it is gone (answered, or run out). Atomic: an interaction answered meanwhile
    is never brought back."""
    if not interaction_id or len(interaction_id) > 64:
        return False
    raw = store.get(PREFIX + interaction_id)
    return raw is not None and store.compare_and_set({PREFIX + interaction_id: (raw, raw)}, ttl)
