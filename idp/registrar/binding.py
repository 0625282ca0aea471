"""The citizen's side of a registrar binding code (`/bind`): whose account the code opens,
shown masked before the code is used.

Redeeming a code signs this browser in to the code's account (a short recovery session) and
ends the session it had. A page that lures someone into submitting a code (a login-CSRF: the
attacker's own account, so the victim's next passkey or document lands there) must not do it
silently: the code is first only looked at (`holder`), the citizen sees whose account it is
and what happens to their current session, and only their confirmation spends it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from idp.citizens.models import Citizen
from idp.registrar import services
from infra.store import EphemeralStore

MASK = "•"
SHOWN_PREFIX = "registrar:bind:shown:"
SHOWN_ID_CHARACTERS = 3


@dataclass(frozen=True)
class Holder:
    """What the confirmation page shows of an account: enough to recognise it, not to learn it."""

    citizen_id: uuid.UUID
    name: str         # "M••• G•••"
    national_id: str  # "•••••••67-8"


def mask_name(name: str) -> str:
    """Each word's first letter: "María Gómez" -> "M••• G•••"."""
    return " ".join(word[:1] + MASK * 3 for word in name.split())


def partial_id(national_id: str) -> str:
    """Only the last characters (with their separator): "01234567-8" -> "•••••••67-8"."""
    digits = sum(c.isalnum() for c in national_id)
    shown, kept = 0, []
    for character in reversed(national_id):
        if character.isalnum():
            shown += 1
        kept.append(character if shown <= SHOWN_ID_CHARACTERS or not character.isalnum() else MASK)
    return "".join(reversed(kept)) if digits > SHOWN_ID_CHARACTERS else MASK * len(national_id)


def masked(citizen: Citizen) -> Holder:
    return Holder(citizen_id=citizen.id, name=mask_name(citizen.full_name),
                  national_id=partial_id(citizen.national_id))


def holder(session: Session, store: EphemeralStore, *, key: bytes, code: str) -> Holder | None:
    """The account a binding code would open, without spending it; None when the code is not
    valid, spent or expired, or the account may no longer be bound (`services.may_bind`)."""
    normalised = services.normalise_binding(code)
    if normalised is None:
        return None
    value = store.get(services.binding_key(key, normalised))
    if value is None:
        return None
    citizen_id = uuid.UUID(value.decode())
    if not services.binding_current(store, key=key, citizen_id=citizen_id, normalised=normalised):
        return None  # a later code was issued for the account (a newer in-person recovery)
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not services.may_bind(session, citizen_id):
        return None
    return masked(citizen)


def _shown_key(key: bytes, code: str, address: str) -> str | None:
    normalised = services.normalise_binding(code)
    if normalised is None:
        return None
    return SHOWN_PREFIX + services.binding_key(key, f"{normalised}:{address}").removeprefix(
        services.BINDING_PREFIX)


def note_shown(store: EphemeralStore, *, key: bytes, code: str, address: str, ttl: int) -> None:
    """The confirmation page was shown for this (valid) code to this client address: that
    attempt was counted once, at `/bind`, so its confirmation does not count it again."""
    shown = _shown_key(key, code, address)
    if shown is not None:
        store.set(shown, b"1", ttl)


def take_shown(store: EphemeralStore, *, key: bytes, code: str, address: str) -> bool:
    """Whether the confirmation page was shown for this code to this address (once)."""
    shown = _shown_key(key, code, address)
    return shown is not None and store.take(shown) is not None
