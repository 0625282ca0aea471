"""Assisted enrolment at a service point (issue #19): a registrar who checked the person's
identity document face to face creates their identity, proofed at level high (`in_person`
evidence, docs/assurance.md), then binds a passkey to it, once, by one of two routes:

* a security key plugged into the registrar's computer: a WebAuthn registration ceremony on
  the registrar's page (discoverable credential, user verification required, cross-platform);
* the citizen's phone: a one-time code with a QR link to `/bind` (the registrar binding code:
  single use, `assurance.binding_seconds`), where the citizen creates a passkey themselves.

The binding step is open for `ttl` seconds after the enrolment, to the registrar who enrolled,
and closes when either route is used. A registrar never enrols their own national ID nor binds
a passkey to their own record. Every step is in the operator trail and the citizen's log.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from idp.citizens import services as citizens
from idp.citizens.enrolment import EnrolmentData
from idp.citizens.errors import CredentialExists
from idp.citizens.models import Citizen
from idp.registrar import services
from idp.registrar.documents import DocumentCheck
from idp.registrar.errors import AlreadyEnrolled, CitizenNotFound, EnrolmentClosed, OwnRecord
from idp.registrar.services import BINDING_LENGTH, Actor, BindingCode
from idp.webauthn import challenges
from idp.webauthn.aaguid import model_name
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.registration import creation_options, parse_registration, verify_registration
from idp.webauthn.relying_party import RelyingParty
from infra.store import EphemeralStore
from infra.unique_insert import insert_unique

PREFIX = services.ENROLMENT_PREFIX


def _ticket(citizen_id: uuid.UUID) -> str:
    return services.enrolment_ticket(citizen_id)


def _own_national_id(session: Session, actor: Actor, data: EnrolmentData) -> bool:
    if actor.registrar_id is None:
        return False
    own = session.get(Citizen, actor.registrar_id)
    return own is not None and (own.national_id_scheme, own.national_id) == (data.national_id_scheme,
                                                                              data.national_id)


def enrol_in_person(session: Session, store: EphemeralStore, *, actor: Actor, data: EnrolmentData,
                    document: DocumentCheck, ttl: int, now: datetime) -> Citizen:
    """Create the identity of the person whose document the registrar checked, proofed at high;
    OwnRecord for the registrar's own national ID, AlreadyEnrolled if it has an identity."""
    if _own_national_id(session, actor, data):
        raise OwnRecord("a registrar cannot enrol themselves")
    if citizens.national_id_taken(session, scheme=data.national_id_scheme, national_id=data.national_id):
        raise AlreadyEnrolled("this national ID already has an identity")
    citizen = citizens.new_citizen(data, now=now)
    insert_unique(session, citizen, taken=AlreadyEnrolled("this national ID was enrolled meanwhile"))
    services.trail(session, actor=actor, action="identity.enrolled", citizen_id=citizen.id, now=now,
                   details={"document_type": document.document_type}, citizen_event="registrar.enrolled")
    services.verify_new_identity(session, actor=actor, citizen_id=citizen.id, document=document, now=now)
    store.set(_ticket(citizen.id), json.dumps({"registrar": actor.name}).encode(), ttl)
    return citizen


def binding_open(store: EphemeralStore, *, actor: Actor, citizen_id: uuid.UUID) -> bool:
    """Whether `actor` may still bind a passkey to the identity they enrolled."""
    raw = store.get(_ticket(citizen_id))
    return raw is not None and json.loads(raw).get("registrar") == actor.name


def _close(store: EphemeralStore, *, actor: Actor, citizen_id: uuid.UUID) -> bytes:
    """Spend the binding step (once: a concurrent second route finds it gone)."""
    raw = store.take(_ticket(citizen_id))
    if raw is None or json.loads(raw).get("registrar") != actor.name:
        raise EnrolmentClosed("the passkey step of this enrolment is done, expired or someone else's")
    return raw


def is_own(actor: Actor, citizen_id: uuid.UUID) -> bool:
    return services.is_own_record(actor, citizen_id)


def _check(session: Session, actor: Actor, citizen_id: uuid.UUID, store: EphemeralStore) -> None:
    """The step is open to `actor`, and the identity is still the one they enrolled: not handed
    to the document's holder at a desk since, nor frozen or closed (`services.handed_over`; the
    recovery also ends the ticket, this holds when it committed after the ticket was read)."""
    if services.is_own_record(actor, citizen_id):
        raise OwnRecord("a registrar cannot bind a passkey to their own record")
    if not binding_open(store, actor=actor, citizen_id=citizen_id):
        raise EnrolmentClosed("the passkey step of this enrolment is done, expired or someone else's")
    if services.handed_over(session, citizen_id):
        store.delete(_ticket(citizen_id))
        raise EnrolmentClosed("the identity was recovered at a desk, frozen or closed since its enrolment")


def issue_phone_link(session: Session, store: EphemeralStore, *, actor: Actor, citizen_id: uuid.UUID,
                     key: bytes, ttl: int, now: datetime) -> BindingCode:
    """Route (b): a one-time code (and QR link to /bind) the citizen opens on their phone to
    create their passkey there. Closes the binding step."""
    _check(session, actor, citizen_id, store)
    _close(store, actor=actor, citizen_id=citizen_id)
    raw = services.issue_binding(store, key=key, citizen_id=citizen_id, ttl=ttl)
    services.trail(session, actor=actor, action="enrolment.phone_link_issued", citizen_id=citizen_id, now=now,
                   details={"expires_in": ttl}, citizen_event="registrar.enrolment_link")
    return BindingCode(code="-".join(raw[i:i + 4] for i in range(0, BINDING_LENGTH, 4)),
                       citizen_id=citizen_id, expires_in=ttl)


def begin_security_key(session: Session, store: EphemeralStore, *, actor: Actor, citizen_id: uuid.UUID,
                       rp: RelyingParty, now: float) -> dict[str, Any]:
    """Route (a): creation options for a security key on the registrar's computer (W3C WebAuthn
    Level 3, 5.4: authenticatorAttachment cross-platform, hint security-key, UV required)."""
    _check(session, actor, citizen_id, store)
    citizen = citizens.get_citizen(session, citizen_id)
    if citizen is None:
        raise CitizenNotFound("no such citizen")
    ceremony = challenges.issue(store, purpose="assisted", ttl=rp.challenge_seconds, now=now,
                                citizen_id=str(citizen.id), user_handle=citizen.user_handle)
    options = creation_options(rp=rp, challenge=ceremony.challenge, user_handle=citizen.user_handle,
                               user_name=citizen.email, display_name=citizen.full_name)
    options["authenticatorSelection"]["authenticatorAttachment"] = "cross-platform"
    options["hints"] = ["security-key"]
    return options


def finish_security_key(session: Session, store: EphemeralStore, *, actor: Actor, citizen_id: uuid.UUID,
                        rp: RelyingParty, body: dict[str, Any], now: datetime, moment: float,
                        default_name: str, retry_seconds: int = 300) -> str:
    """Verify the security key's registration (section 7.1, user verified) and bind it to the
    enrolled citizen; closes the binding step. The passkey's name is returned. A key that is
    registered already leaves the step open (`retry_seconds`) for another key or the phone.
    `default_name`: the key's name when its model is unknown, in the page's language."""
    _check(session, actor, citizen_id, store)
    response = parse_registration(body)
    ceremony = challenges.take(store, challenge=response.client_data.challenge, purposes={"assisted"},
                               now=moment)
    if ceremony.citizen_id != str(citizen_id):
        raise WebAuthnError("forbidden", "the challenge was issued for another citizen", status=403)
    passkey = verify_registration(rp=rp, response=response, expected_challenge=ceremony.challenge)
    ticket = _close(store, actor=actor, citizen_id=citizen_id)
    name = model_name(passkey.aaguid) or default_name
    try:
        citizens.add_passkey(session, citizen_id=citizen_id, passkey=passkey, passkey_name=name, now=now)
    except CredentialExists:
        store.set(_ticket(citizen_id), ticket, retry_seconds)
        raise WebAuthnError("credential_exists", "this security key is already registered", status=409) from None
    rp.attestation.record(session, credential_id=passkey.credential_id, verdict=passkey.attestation)
    services.trail(session, actor=actor, action="enrolment.security_key_bound", citizen_id=citizen_id, now=now,
                   details={"aaguid": passkey.aaguid, "backup_eligible": passkey.backup_eligible},
                   citizen_event="registrar.enrolment_key")
    return name
