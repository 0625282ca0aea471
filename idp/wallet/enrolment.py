"""Enrolment without a registrar: a person presents their PID first (OpenID4VP), the
enrolment form is filled from it, they create a passkey, and the new account's proofing is
raised to high when its details still match the PID (`proofing.apply`).

The presentation request belongs to the browser that asked for it: a random value in an
HttpOnly cookie, kept hashed as the request's owner. The verified PID waits in the store for
`wallet.presentation_seconds` under the request's `state`, for that browser only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from idp.wallet.vp_response import ProvenIdentity
from infra.store import EphemeralStore as Store

COOKIE = "wallet_enrol"
_PENDING = "wallet:vp:enrolment:"
PREFIX = "enrol:"


def new_binding() -> str:
    return secrets.token_urlsafe(32)


def owner(binding: str | None) -> str | None:
    """The request owner for a browser's binding cookie (None without one)."""
    if not binding or len(binding) > 128:
        return None
    return PREFIX + hashlib.sha256(binding.encode()).hexdigest()


def _key(state: str) -> str:
    return _PENDING + hashlib.sha256(state.encode()).hexdigest()


def examine(session: Session, identity: ProvenIdentity, *, scheme: Any) -> str:
    """Whether a new account can be made from this PID: "ready", "foreign" (not of this
    country's identity scheme) or "exists" (the number is enrolled already: sign in)."""
    from idp.citizens import services

    if identity.issuing_country.upper() != str(scheme.country).upper():
        return "foreign"
    try:
        number = scheme.normalise(identity.national_id)
    except ValueError:
        return "foreign"
    if services.find_by_national_id(session, scheme=scheme.code, national_id=number) is not None:
        return "exists"
    return "ready"


def keep(store: Store, *, state: str, identity: ProvenIdentity, status: str, ttl: int) -> None:
    store.set(_key(state), json.dumps({"status": status, "identity": asdict(identity)}).encode(), ttl)


def pending(store: Store, *, state: object, binding: str | None) -> tuple[str, ProvenIdentity] | None:
    """The outcome of the browser's request (read, not taken)."""
    return pending_of(store, state=state, requester=owner(binding))


def pending_of(store: Store, *, state: object,
               requester: str | None) -> tuple[str, ProvenIdentity] | None:
    """The outcome of a request made by `requester` (a browser's `owner`, or the signed-in
    citizen's id for proofing), read, not taken; None for anyone else."""
    if requester is None or not isinstance(state, str) or not 16 <= len(state) <= 128:
        return None
    raw = store.get(_key(state))
    if raw is None:
        return None
    record = json.loads(raw)
    identity = ProvenIdentity(**record["identity"])
    if identity.citizen_id != requester:
        return None
    return record["status"], identity


def take(store: Store, *, state: str, binding: str | None) -> ProvenIdentity | None:
    return take_of(store, state=state, requester=owner(binding))


def take_of(store: Store, *, state: str, requester: str | None) -> ProvenIdentity | None:
    """The ready outcome of `requester`'s request, taken: once, also when two requests of the
    same browser (two tabs, the QR page and the wallet's redirect) read it at the same time.
    Read first (someone else's request is left alone), then taken atomically; only the request
    whose take found it gets it."""
    found = pending_of(store, state=state, requester=requester)
    if found is None or found[0] != "ready":
        return None
    if store.take(_key(state)) is None:
        return None  # taken meanwhile by the other request
    return found[1]


def drop(store: Store, *, state: str) -> None:
    """Forget the outcome (the browser that asked could not confirm it)."""
    store.delete(_key(state))


def form_values(identity: ProvenIdentity, *, scheme: Any) -> dict[str, str]:
    """The enrolment form's values from the PID (the person adds their email)."""
    try:
        number = scheme.normalise(identity.national_id)
    except ValueError:
        number = identity.national_id
    return {"given_name": identity.given_name, "family_name": identity.family_name,
            "birthdate": identity.birthdate, "national_id": number}
