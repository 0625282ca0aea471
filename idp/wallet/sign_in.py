"""Signing in with a wallet: a person presents their PID (OpenID4VP, `vp_request` with purpose
`sign_in`, verified by `vp_response`) and is signed in as the citizen whose national ID it
carries, when the PID's names and birth date are that citizen's record.

The request belongs to the browser that asked for it, as for enrolment (`enrolment.owner`:
a random value in an HttpOnly cookie, kept hashed as the request's owner); the verified PID
waits under the request's `state` for that browser only (`enrolment.keep` / `take`) and is
used once. The decision (`decide`) is pure of HTTP: the view starts the SSO session.

A PID is issued at eIDAS LoA high and the wallet's key binding proves possession of its
hardware-held key with user verification: the session's `amr` is `AMR`, which
`idp.assurance` rates as a high authenticator, and for which it takes the PID, matched against
the record at this sign-in, as the proofing: the sign-in is at level high.

The citizen's stored proofing is *not* raised. It is a fact about the account, which every
passkey of the account inherits, and the PID proves who is at this browser, not who holds
those passkeys: an account enrolled with someone's details by another person (identity
squatting, issue 12) would otherwise sign documents in that person's name at substantial once
the person had signed in with their wallet. Proofing with a PID is done in a passkey session
(`/account/wallet-proofing`), where the same person shows both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from idp.wallet.vp_response import ProvenIdentity, matches

log = logging.getLogger(__name__)

COOKIE = "wallet_signin"
COOKIE_PATH = "/login/wallet"
AMR: tuple[str, ...] = ("pop", "hwk", "user", "mfa")
"""RFC 8176: proof of possession of the wallet's hardware key (`pop`, `hwk`), with the
wallet's user verification (`user`, `mfa`). `pop` marks a wallet sign-in (no passkey does it)."""
_NEXT = "wallet:vp:sign-in-next:"

STATUSES = ("signed_in", "unknown", "foreign", "mismatch", "closed", "recovered")


@dataclass(frozen=True)
class Outcome:
    status: str  # one of STATUSES
    citizen_id: str | None = None
    differences: tuple[str, ...] = ()


def decide(session: Session, identity: ProvenIdentity, *, scheme: Any, now: datetime) -> Outcome:
    """Who this verified PID signs in, in the caller's transaction: "signed_in" (audited; the
    stored proofing is left as it is, see the module docstring), "unknown" (no account with
    this number: enrol), "foreign" (not this country's scheme), "closed" (the account was
    closed or frozen), "recovered" (the PID was issued before the account's last recovery,
    `recovered_at`, or does not say when: whoever held the account's passkeys may hold the
    wallet it is in; refused and audited) or "mismatch" (the names or birth date differ from the record: refused
    and audited)."""
    from idp import audit
    from idp.assurance.reclaim import is_frozen
    from idp.citizens import services
    from idp.citizens.models import is_closed

    if identity.issuing_country.upper() != str(scheme.country).upper():
        return Outcome("foreign")
    try:
        number = scheme.normalise(identity.national_id)
    except ValueError:
        return Outcome("foreign")
    citizen = services.find_by_national_id(session, scheme=scheme.code, national_id=number)
    if citizen is None:
        return Outcome("unknown")
    citizen_id = str(citizen.id)
    if is_closed(citizen) or is_frozen(citizen):
        return Outcome("closed", citizen_id)
    if predates_recovery(session, citizen.id, identity):
        log.warning("wallet sign-in refused: the PID predates the account's last recovery",
                    extra={"citizen_id": citizen_id})
        audit.append(session, event="wallet.sign_in_refused", citizen_id=citizen_id, now=now)
        return Outcome("recovered", citizen_id)
    differences = tuple(matches(identity, given_name=citizen.given_name,
                                family_name=citizen.family_name,
                                birthdate=citizen.birthdate.isoformat(),
                                national_id=citizen.national_id, country=str(scheme.country),
                                normalise_id=scheme.normalise))
    if differences:
        log.warning("wallet sign-in refused: the PID does not match the account", extra={
            "citizen_id": citizen_id, "differences": list(differences)})
        audit.append(session, event="wallet.sign_in_refused", citizen_id=citizen_id,
                     claims=differences, now=now)
        return Outcome("mismatch", citizen_id, differences)
    audit.append(session, event="wallet.signed_in", citizen_id=citizen_id,
                 claims=("family_name", "given_name", "birthdate", "national_id"), now=now)
    return Outcome("signed_in", citizen_id)


def recovered_at(session: Session, citizen_id: Any) -> datetime | None:
    """When the account was last taken back without its passkeys, or None: a desk recovery
    (`idp.registrar.services.last_recovery`) or a recovery code spent (`/recover`,
    `idp.citizens.recovery.last_redeemed`). Either way the device that held its passkeys was
    lost or in someone else's hands, with the screen lock that also opens the wallet on it
    (the citizen taking the account back with a code then deletes that device's passkey, and
    its holder would sign back in with the wallet, at level high). A PID issued before it
    vouches for nobody; the citizen's new wallet's, issued after, does."""
    from idp.citizens.recovery import last_redeemed
    from idp.registrar.services import last_recovery

    moments = [m for m in (last_recovery(session, citizen_id), last_redeemed(session, citizen_id))
               if m is not None]
    return max(moments) if moments else None


def predates_recovery(session: Session, citizen_id: Any, identity: ProvenIdentity) -> bool:
    """Whether the PID was issued at or before the account's last recovery (`recovered_at`), or
    does not say when: it vouches for nobody then, neither to sign in (`decide`) nor to raise
    the account's proofing (`idp.wallet.proofing.apply`)."""
    recovered = recovered_at(session, citizen_id)
    return recovered is not None and identity.issued_at <= recovered.timestamp()


def remember_next(store: Any, *, state: str, target: str, ttl: int) -> None:
    """Where the browser goes once signed in (a pending /authorize interaction, or /account)."""
    store.set(_NEXT + state, target.encode(), ttl)


def take_next(store: Any, *, state: str, default: str) -> str:
    raw = store.take(_NEXT + state)
    return raw.decode() if raw is not None else default
