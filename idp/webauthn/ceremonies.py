"""The ceremonies end to end: enrolment, adding a passkey, signing in, re-checking.

Each `begin_*` issues a challenge and returns the options JSON for the browser; each
`finish_*` takes the challenge (once), verifies the browser's response and updates the
database in the caller's transaction. No Flask request objects here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens import services
from idp.citizens.enrolment import EnrolmentData, validate
from idp.citizens.errors import CredentialExists, EnrolmentRefused, SignCountRaced
from idp.citizens.national_id import NationalIdScheme
from idp.webauthn import challenges
from idp.webauthn.aaguid import model_name
from idp.webauthn.authentication import parse_assertion, request_options, verify_assertion
from idp.webauthn.encoding import b64url
from idp.webauthn.errors import CloneSuspected, WebAuthnError
from idp.webauthn.registration import (
    ExistingCredential,
    creation_options,
    parse_registration,
    verify_registration,
)
from idp.webauthn.relying_party import RelyingParty
from infra.store import EphemeralStore


@dataclass(frozen=True)
class Registered:
    purpose: str  # "enrol" | "add"
    citizen_id: str
    credential_id: str  # base64url
    name: str
    amr: tuple[str, ...]


@dataclass(frozen=True)
class SignedIn:
    citizen_id: str
    credential_id: str  # base64url
    amr: tuple[str, ...]
    # The passkey's label and last-used device as read in this transaction (sign-in history).
    passkey_name: str = ""
    last_used_device: str | None = None


def amr_for(*, backup_eligible: bool) -> tuple[str, ...]:
    """RFC 8176 values: a synced passkey is a software key, a device-bound one hardware;
    user verification makes it multi-factor."""
    return ("swk" if backup_eligible else "hwk", "mfa")


def _utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def begin_enrolment(session: Session, store: EphemeralStore, *, rp: RelyingParty,
                    scheme: NationalIdScheme, minimum_age: int, fields: Mapping[str, object],
                    now: float) -> dict[str, Any]:
    """Validate the enrolment fields and ask the browser for a new passkey.

    Raises InvalidFields, or EnrolmentRefused when the national ID is already enrolled
    (the caller answers with the same words as for any other refusal).
    """
    data = validate(fields, scheme=scheme, minimum_age=minimum_age, today=_utc(now).date())
    if services.national_id_taken(session, scheme=data.national_id_scheme,
                                  national_id=data.national_id):
        raise EnrolmentRefused("national ID already enrolled")
    handle = services.new_user_handle()
    ceremony = challenges.issue(store, purpose="enrol", ttl=rp.challenge_seconds, now=now,
                                user_handle=handle, enrolment=data.to_json())
    return creation_options(rp=rp, challenge=ceremony.challenge, user_handle=handle,
                            user_name=data.email,
                            display_name=f"{data.given_name} {data.family_name}")


def begin_adding(session: Session, store: EphemeralStore, *, rp: RelyingParty,
                 citizen_id: str, now: float) -> dict[str, Any]:
    """Ask the browser for another passkey for a signed-in citizen, excluding theirs."""
    citizen = services.get_citizen(session, citizen_id)
    if citizen is None:
        raise WebAuthnError("login_required", "the signed-in citizen no longer exists", status=401)
    existing = [ExistingCredential(p.credential_id, tuple(p.transports or ()))
                for p in services.passkeys_of(session, citizen.id)]
    ceremony = challenges.issue(store, purpose="add", ttl=rp.challenge_seconds, now=now,
                                citizen_id=str(citizen.id), user_handle=citizen.user_handle)
    return creation_options(rp=rp, challenge=ceremony.challenge, user_handle=citizen.user_handle,
                            user_name=citizen.email, display_name=citizen.full_name,
                            exclude=existing)


def begin_sign_in(store: EphemeralStore, *, rp: RelyingParty, now: float,
                  allowed: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Options for a sign-in; `allowed` (PublicKeyCredentialDescriptorJSON, a step-up's
    passkeys that reach the level asked) become allowCredentials, and the only credentials
    `finish_sign_in` accepts for this challenge."""
    ceremony = challenges.issue(store, purpose="sign-in", ttl=rp.challenge_seconds, now=now,
                                allowed=tuple(d["id"] for d in allowed) if allowed is not None else None)
    options = request_options(rp=rp, challenge=ceremony.challenge)
    if allowed is not None:
        options["allowCredentials"] = allowed
    return options


def begin_recheck(session: Session, store: EphemeralStore, *, rp: RelyingParty,
                  citizen_id: str, now: float) -> dict[str, Any]:
    """A signed-in citizen confirms it is still them (before a sensitive action): options
    naming only their passkeys, user verification required."""
    citizen = services.get_citizen(session, citizen_id)
    if citizen is None:
        raise WebAuthnError("login_required", "the signed-in citizen no longer exists", status=401)
    ceremony = challenges.issue(store, purpose="recheck", ttl=rp.challenge_seconds, now=now,
                                citizen_id=str(citizen.id))
    options = request_options(rp=rp, challenge=ceremony.challenge)
    options["allowCredentials"] = [
        {"type": "public-key", "id": b64url(p.credential_id),
         **({"transports": list(p.transports)} if p.transports else {})}
        for p in services.passkeys_of(session, citizen.id)]
    return options


def finish_recheck(session: Session, store: EphemeralStore, *, rp: RelyingParty,
                   body: dict[str, Any], citizen_id: str, now: float) -> SignedIn:
    """Verify the re-check assertion: issued to `citizen_id`, made with one of their
    passkeys, user verified (section 7.2). WebAuthnError if not; nothing else changes."""
    response = parse_assertion(body)
    ceremony = challenges.take(store, challenge=response.client_data.challenge,
                               purposes={"recheck"}, now=now)
    if ceremony.citizen_id != citizen_id:
        raise WebAuthnError("forbidden", "the challenge was issued to another citizen",
                            status=403)
    connection = session.connection()
    passkey = services.passkey_for_assertion(connection, response.credential_id)
    if passkey is None or str(passkey.citizen_id) != citizen_id:
        raise WebAuthnError("unknown_credential",
                            "this passkey is not one of the signed-in citizen's")
    return _sign_in_with(connection, rp=rp, response=response, passkey=passkey,
                         challenge=ceremony.challenge, now=now, user_identified=True)


def finish_registration(session: Session, store: EphemeralStore, *, rp: RelyingParty,
                        body: dict[str, Any], signed_in_citizen: str | None, default_name: str,
                        recheck_fresh: bool, now: float) -> Registered:
    """Verify a new passkey and store it: a new citizen (enrol) or one more passkey (add).
    Adding needs the session's passkey re-check to be recent (`recheck_fresh`) at the finish
    as at the options step: options fetched in time do not carry a stale session through."""
    response = parse_registration(body)
    ceremony = challenges.take(store, challenge=response.client_data.challenge,
                               purposes={"enrol", "add"}, now=now)
    if ceremony.purpose == "add":
        if signed_in_citizen is None:
            raise WebAuthnError("login_required", "sign in to add a passkey", status=401)
        if signed_in_citizen != ceremony.citizen_id:
            raise WebAuthnError("forbidden", "the challenge was issued to another citizen",
                                status=403)
        if not recheck_fresh:
            raise WebAuthnError("reauthentication_required",
                                "the session's passkey re-check is too old to add a passkey",
                                status=403)
    passkey = verify_registration(rp=rp, response=response, expected_challenge=ceremony.challenge)
    name = model_name(passkey.aaguid) or default_name
    moment = _utc(now)
    try:
        if ceremony.purpose == "enrol":
            assert ceremony.enrolment is not None and ceremony.user_handle is not None
            data = EnrolmentData.from_json(ceremony.enrolment)
            citizen = services.enrol(session, data=data, user_handle=ceremony.user_handle,
                                     passkey=passkey, passkey_name=name, now=moment)
            citizen_id = str(citizen.id)
        else:
            citizen_id = str(ceremony.citizen_id)
            services.add_passkey(session, citizen_id=uuid.UUID(citizen_id), passkey=passkey,
                                 passkey_name=name, now=moment)
    except CredentialExists:
        raise WebAuthnError("credential_exists", "this passkey is already registered",
                            status=409) from None
    except EnrolmentRefused:
        raise WebAuthnError("enrolment_refused", "the national ID was enrolled meanwhile") from None
    rp.attestation.record(session, credential_id=passkey.credential_id, verdict=passkey.attestation)
    return Registered(purpose=ceremony.purpose, citizen_id=citizen_id,
                      credential_id=b64url(passkey.credential_id), name=name,
                      amr=amr_for(backup_eligible=passkey.backup_eligible))


def use_passkey(session: Session, *, rp: RelyingParty, response: Any, passkey: Any,
                challenge: bytes, now: float) -> None:
    """Verify an assertion from `passkey` (a Passkey with its citizen) for `challenge` and
    record the use (W3C WebAuthn Level 3, section 7.2, steps 11-24): signature, origin, RP ID,
    user verification, and a sign count that never goes back (also under concurrent use).
    WebAuthnError if not. The caller identified the user and checked that `passkey` is
    theirs (a user handle, if sent, must still be theirs: step 6)."""
    _verify_and_record(session.connection(), rp=rp, response=response, passkey_id=passkey.id,
                       public_key=passkey.public_key, sign_count=passkey.sign_count,
                       backup_eligible=passkey.backup_eligible,
                       user_handle=passkey.citizen.user_handle, challenge=challenge,
                       suspect=passkey.suspect_since is not None, citizen_id=str(passkey.citizen_id),
                       now=now, user_identified=True)


def _verify_and_record(connection: sa.Connection, *, rp: RelyingParty, response: Any, passkey_id: int,
                       public_key: bytes, sign_count: int, backup_eligible: bool, user_handle: bytes,
                       challenge: bytes, suspect: bool, citizen_id: str, now: float,
                       user_identified: bool = False) -> None:
    if suspect:  # a clone signal was seen: refused until the citizen removes it
        raise WebAuthnError("credential_suspect", "this passkey is blocked: its counter went back "
                            "once (a cloned authenticator)", status=403)
    try:
        verified = verify_assertion(rp=rp, response=response, expected_challenge=challenge,
                                    public_key=public_key, stored_sign_count=sign_count,
                                    user_handle=user_handle, user_identified=user_identified)
    except CloneSuspected as exc:
        exc.passkey_id, exc.citizen_id = passkey_id, citizen_id
        raise
    # Section 7.2, step 18: backup eligibility is fixed when the credential is created, and the
    # level of assurance rests on it (only a device-bound passkey reaches high). A credential
    # that says otherwise now is not the one registered (its key may be copied elsewhere).
    if verified.backup_eligible != bool(backup_eligible):
        raise WebAuthnError("invalid_credential",
                            f"the assertion says backup eligible (BE) {int(verified.backup_eligible)}"
                            f", the passkey was registered with BE {int(bool(backup_eligible))}")
    try:
        services.record_use(connection, passkey_id=passkey_id, previous_count=sign_count,
                            sign_count=verified.sign_count, backed_up=verified.backed_up,
                            now=_utc(now))
    except SignCountRaced:
        raise WebAuthnError("sign_count_regression",
                            "another use of this passkey changed its counter") from None


def _sign_in_with(connection: sa.Connection, *, rp: RelyingParty, response: Any, passkey: Any,
                  challenge: bytes, now: float, user_identified: bool = False) -> SignedIn:
    """Verify and record an assertion from `passkey` (a row of
    services.passkey_for_assertion) and say who signed in with it; `user_identified`: the
    caller named the user before the ceremony and checked the passkey is theirs (a re-check)."""
    _verify_and_record(connection, rp=rp, response=response, passkey_id=passkey.id,
                       public_key=passkey.public_key, sign_count=passkey.sign_count,
                       backup_eligible=passkey.backup_eligible, user_handle=passkey.user_handle,
                       challenge=challenge, suspect=passkey.suspect_since is not None,
                       citizen_id=str(passkey.citizen_id), now=now, user_identified=user_identified)
    return _signed_in(passkey)


def _signed_in(passkey: Any) -> SignedIn:
    return SignedIn(citizen_id=str(passkey.citizen_id), credential_id=b64url(passkey.credential_id),
                    amr=amr_for(backup_eligible=passkey.backup_eligible),
                    passkey_name=passkey.name, last_used_device=passkey.last_used_device)


def finish_sign_in(connection: sa.Connection, store: EphemeralStore, *, rp: RelyingParty,
                   body: dict[str, Any], now: float) -> SignedIn:
    """Verify an assertion for a registered passkey and record its use, on the caller's
    transaction (a plain connection: table statements only, no ORM unit of work)."""
    response = parse_assertion(body)
    ceremony = challenges.take(store, challenge=response.client_data.challenge,
                               purposes={"sign-in"}, now=now)
    challenges.require_allowed(ceremony.allowed, response.credential_id)
    passkey = services.passkey_for_assertion(connection, response.credential_id)
    if passkey is None:
        raise WebAuthnError("unknown_credential", "this passkey is not registered here")
    return _sign_in_with(connection, rp=rp, response=response, passkey=passkey,
                         challenge=ceremony.challenge, now=now)


__all__ = ["Registered", "SignedIn", "begin_adding", "begin_enrolment", "begin_recheck",
           "begin_sign_in", "finish_recheck", "finish_registration", "finish_sign_in",
           "use_passkey"]
