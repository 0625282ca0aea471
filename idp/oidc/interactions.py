"""An authorization request in progress while the citizen signs in and decides, kept in the
ephemeral store under a random id (it never travels in cookies or hidden fields).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, replace

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

    def to_json(self) -> bytes:
        data = asdict(self)
        return json.dumps(data).encode("utf-8")


def start(store: EphemeralStore, request: AuthorizationRequest, *, ttl: int) -> Interaction:
    interaction = Interaction(id=secrets.token_urlsafe(24), request=request)
    store.set(PREFIX + interaction.id, interaction.to_json(), ttl)
    return interaction


def load(store: EphemeralStore, interaction_id: str | None) -> Interaction | None:
    if not interaction_id or len(interaction_id) > 64:
        return None
    raw = store.get(PREFIX + interaction_id)
    if raw is None:
        return None
    data = json.loads(raw)
    data["request"] = AuthorizationRequest(**data["request"])
    return Interaction(**data)


def update(store: EphemeralStore, interaction: Interaction, *, ttl: int, **changes) -> Interaction:
    changed = replace(interaction, **changes)
    store.set(PREFIX + interaction.id, changed.to_json(), ttl)
    return changed


def finish(store: EphemeralStore, interaction_id: str) -> Interaction | None:
    """Take the interaction (single use): a decision is answered once."""
    raw = store.take(PREFIX + interaction_id)
    if raw is None:
        return None
    data = json.loads(raw)
    data["request"] = AuthorizationRequest(**data["request"])
    return Interaction(**data)
