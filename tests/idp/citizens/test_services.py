"""Account services inside one transaction: uniqueness, last passkey, counters."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from idp.citizens import services
from idp.citizens.enrolment import EnrolmentData
from idp.citizens.errors import (
    CredentialExists,
    EnrolmentRefused,
    LastPasskey,
    PasskeyNotFound,
    SignCountRaced,
)
from idp.webauthn.registration import NewPasskey
from infra.db import get_db

NOW = datetime(2026, 11, 22, tzinfo=UTC)
DATA = EnrolmentData(given_name="Ana", family_name="López", birthdate=date(1990, 1, 1),
                     national_id_scheme="sv-dui", national_id="04892613-5", email="a@example.sv")


def passkey(credential_id: bytes) -> NewPasskey:
    return NewPasskey(credential_id=credential_id, public_key=b"k", sign_count=0, aaguid="0" * 36,
                      attestation_format="none", transports=("internal",), backup_eligible=False,
                      backed_up=False)


def test_one_national_id_one_citizen(fresh_app):
    with get_db(fresh_app).transaction() as db:
        services.enrol(db, data=DATA, user_handle=b"1" * 32, passkey=passkey(b"a"),
                       passkey_name="Passkey", now=NOW)
    with get_db(fresh_app).transaction() as db, pytest.raises(EnrolmentRefused):
        services.enrol(db, data=DATA, user_handle=b"2" * 32, passkey=passkey(b"b"),
                       passkey_name="Passkey", now=NOW)
    with get_db(fresh_app).read() as db:
        assert services.national_id_taken(db, scheme="sv-dui", national_id="04892613-5")
        assert not services.national_id_taken(db, scheme="es-dni", national_id="04892613-5")


def test_passkeys_names_counters_and_the_last_one(fresh_app):
    with get_db(fresh_app).transaction() as db:
        citizen = services.enrol(db, data=DATA, user_handle=b"1" * 32, passkey=passkey(b"a"),
                                 passkey_name="Passkey", now=NOW)
        second = services.add_passkey(db, citizen_id=citizen.id, passkey=passkey(b"b"),
                                      passkey_name="Passkey", now=NOW)
        assert second.name == "Passkey (2)"
        with pytest.raises(CredentialExists):
            services.add_passkey(db, citizen_id=citizen.id, passkey=passkey(b"b"),
                                 passkey_name="Passkey", now=NOW)
        services.record_use(db.connection(), passkey_id=second.id, previous_count=0, sign_count=5,
                            backed_up=False, now=NOW)
        with pytest.raises(SignCountRaced):
            services.record_use(db.connection(), passkey_id=second.id, previous_count=0, sign_count=6,
                                backed_up=False, now=NOW)
        services.delete_passkey(db, citizen_id=citizen.id, credential_id=b"a")
        with pytest.raises(LastPasskey):
            services.delete_passkey(db, citizen_id=citizen.id, credential_id=b"b")
        with pytest.raises(PasskeyNotFound):
            services.rename_passkey(db, citizen_id=uuid.uuid4(), credential_id=b"b", name="x")
