"""The desk confirmation: the person at a registrar's desk shows that they hold the account.

A document checked face to face proves who the person is, not that the account on the
registrar's screen is theirs: anyone who has seen an ID card can enrol with its details and
hold that account with their own passkey. Before an in-person check raises an account's
proofing, the person signs in on their own device with one of its passkeys and shows a short
code from `/account/desk-code`; the registrar types it in with the document. The code is bound
to that account, to the passkey that signed in and to the office the person said they are at
(a registrar's service point; "" when none exists yet: an operator's desk, `cedula registrar
verify`), single use, minutes long: a code read out to a caller, or seen at one office, opens
nothing at another. On its own it raises nothing (the document check does,
`services.verify_in_person`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass

from infra.store import EphemeralStore

DESK_PREFIX = "registrar:desk:"
DESK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
DESK_LENGTH = 8  # 40 bits, bound to one account, single use, minutes long


@dataclass(frozen=True)
class DeskConfirmation:
    """Who confirmed at the desk: the account and the passkey (base64url id) it signed in with."""

    citizen_id: uuid.UUID
    credential_id: str


def _key(key: bytes, citizen_id: uuid.UUID, office: str, code: str) -> str:
    bound = json.dumps([str(citizen_id), office, code]).encode()  # no separator to forge
    return DESK_PREFIX + hmac.new(key, bound, hashlib.sha256).hexdigest()


def _normalise(raw: str) -> str | None:
    value = "".join(raw.split()).replace("-", "").upper()
    if len(value) != DESK_LENGTH or any(c not in DESK_ALPHABET for c in value):
        return None
    return value


def issue_desk_code(store: EphemeralStore, *, key: bytes, citizen_id: uuid.UUID, credential_id: str,
                    office: str, ttl: int) -> str:
    """A code for the citizen signed in with `credential_id` to show at the desk of `office`."""
    raw = "".join(secrets.choice(DESK_ALPHABET) for _ in range(DESK_LENGTH))
    store.set(_key(key, citizen_id, office, raw), json.dumps({"credential_id": credential_id}).encode(), ttl)
    return f"{raw[:4]}-{raw[4:]}"


def redeem_desk_code(store: EphemeralStore, *, key: bytes, citizen_id: uuid.UUID, office: str,
                     code: str) -> DeskConfirmation | None:
    """The confirmation a desk code carries for `citizen_id` at `office` (spent), or None:
    wrong, expired, used, issued by another account or for another office (not spent then:
    the person may still show it where they said they were)."""
    normalised = _normalise(code[:40])
    if normalised is None:
        return None
    value = store.take(_key(key, citizen_id, office, normalised))
    if not value:
        return None
    return DeskConfirmation(citizen_id=citizen_id, credential_id=str(json.loads(value)["credential_id"]))


__all__ = ["DeskConfirmation", "issue_desk_code", "redeem_desk_code"]
