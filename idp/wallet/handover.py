"""Handing a wallet's answer over to the browser that asked for it (OpenID4VP 1.0, section
8.2 and the cross-device notes of section 14).

A presentation request is shown as a QR code: anyone can copy it from their screen and send it
to someone else ("scan this to sign in"). The wallet that scans it answers Cédula, the verifier
it names, truthfully; the answer then belongs to whoever showed the code, who would be signed
in as the wallet's holder, or have their account proofed with the holder's PID. So the answer
is not handed over on the `state` alone, which the browser that asked holds:

* the wallet is sent back (`redirect_uri`) with a one-time `response_code`. When it opens in
  the browser that asked (the same device), that browser gets the answer at once;
* anywhere else (the wallet on a phone, the request on a computer) the page shows a short
  confirmation code with a warning, and the browser that asked gets the answer only once that
  code is typed there. Someone who relayed another person's QR code has to ask them for this
  code too, and the page that shows it tells them not to give it to anyone.

Five wrong codes end the request. Everything lives in the ephemeral store for the request's
lifetime; the code is kept hashed on the side of the browser that asked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from infra.store import EphemeralStore as Store

_BY_RESPONSE = "wallet:vp:handover:response:"
_BY_STATE = "wallet:vp:handover:state:"
_TRIES = "wallet:vp:handover:tries:"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
LENGTH = 6  # 30 bits; five tries per request
MAX_TRIES = 5


@dataclass(frozen=True)
class Landing:
    """What a `response_code` opens: the request's state and purpose, and the code to show."""

    state: str
    purpose: str
    confirmation: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def shown(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def normalise(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").upper()[:LENGTH * 2]


def start(store: Store, *, state: str, purpose: str, ttl: int) -> str:
    """After a verified answer: the `response_code` for the wallet's redirect."""
    response_code = secrets.token_urlsafe(32)
    confirmation = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    store.set(_BY_RESPONSE + _digest(response_code), json.dumps(
        {"state": state, "purpose": purpose, "confirmation": confirmation}).encode(), ttl)
    store.set(_BY_STATE + _digest(state), json.dumps(
        {"confirmation": _digest(confirmation), "confirmed": False,
         "response": _digest(response_code)}).encode(), ttl)
    return response_code


def landing(store: Store, response_code: object) -> Landing | None:
    """The request a `response_code` belongs to (read, not spent), or None."""
    if not isinstance(response_code, str) or not 16 <= len(response_code) <= 128:
        return None
    raw = store.get(_BY_RESPONSE + _digest(response_code))
    if raw is None:
        return None
    return Landing(**json.loads(raw))


def _record(store: Store, state: str) -> dict[str, object] | None:
    raw = store.get(_BY_STATE + _digest(state))
    return json.loads(raw) if raw is not None else None


def confirmed(store: Store, *, state: str) -> bool:
    record = _record(store, state)
    return record is not None and record.get("confirmed") is True


def mark_confirmed(store: Store, *, state: str, ttl: int) -> None:
    """The wallet's redirect opened in the browser that asked: nothing to type."""
    record = _record(store, state)
    if record is not None:
        store.set(_BY_STATE + _digest(state), json.dumps({**record, "confirmed": True}).encode(), ttl)


def confirm(store: Store, *, state: str, entered: str, ttl: int) -> str:
    """The code typed in the browser that asked: "confirmed", "wrong" (try again), or "ended"
    (no answer waiting, or too many wrong codes: the answer is dropped)."""
    record = _record(store, state)
    if record is None:
        return "ended"
    if record.get("confirmed") is True:
        return "confirmed"
    tries = store.incr(_TRIES + _digest(state), ttl)
    right = hmac.compare_digest(_digest(normalise(entered)), str(record["confirmation"]))
    if tries > MAX_TRIES or (not right and tries == MAX_TRIES):
        end(store, state=state)
        return "ended"
    if not right:
        return "wrong"
    store.set(_BY_STATE + _digest(state), json.dumps({**record, "confirmed": True}).encode(), ttl)
    return "confirmed"


def end(store: Store, *, state: str) -> None:
    """The answer was used (or dropped): neither its state nor its response_code opens it."""
    record = _record(store, state)
    if record is not None and isinstance(record.get("response"), str):
        store.delete(_BY_RESPONSE + str(record["response"]))
    store.delete(_BY_STATE + _digest(state))


__all__ = ["ALPHABET", "LENGTH", "MAX_TRIES", "Landing", "confirm", "confirmed", "end", "landing",
           "mark_confirmed", "normalise", "shown", "start"]
