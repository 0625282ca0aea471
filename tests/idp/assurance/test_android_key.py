"""An android-key attestation proves the model it claims only for a key that secure hardware
made and guards (W3C WebAuthn Level 3, section 8.4; the KeyDescription extension): Google's
root vouches for any Android Keystore key, whatever app asked for it, and nothing in the
statement names the model, so an app's software-backed key, or one usable without the user,
could otherwise claim a listed model, its level and its fingerprint in the amr. Such a claim
is treated as an unproven one (attestation untrusted, no verification method)."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyasn1.codec.der.encoder import encode as der_encode
from pyasn1.type.univ import Null
from webauthn.helpers.asn1.android_key import AuthorizationList, KeyDescription

import tests.support.attestation as attestation
from idp.assurance.android_key import hardware_bound
from idp.assurance.models import PasskeyAssurance
from idp.assurance.services import assess
from infra.db import get_db
from tests.idp.assurance.conftest import device_key
from tests.idp.conftest import enrol
from tests.support.attestation import AAGUIDS, der

GENUINE = {"attestation_level": 1, "keymaster_level": 1, "tee_purpose": (2,), "software_purpose": (),
           "tee_origin": True, "no_auth": None, "user_auth_type": "tee"}


def _description(client_hash: bytes, *, attestation_level, keymaster_level, tee_purpose,
                 software_purpose, tee_origin, no_auth, user_auth_type) -> bytes:
    description = KeyDescription()
    description["attestationVersion"] = 4
    description["attestationSecurityLevel"] = attestation_level
    description["keymasterVersion"] = 41
    description["keymasterSecurityLevel"] = keymaster_level
    description["attestationChallenge"] = client_hash
    description["uniqueId"] = b""
    lists = {"software": AuthorizationList(), "tee": AuthorizationList()}
    for where, purposes in (("tee", tee_purpose), ("software", software_purpose)):
        if purposes:
            purpose = lists[where]["purpose"].clone()
            purpose.extend(list(purposes))
            lists[where]["purpose"] = purpose
    # py_webauthn insists on origin GENERATED in teeEnforced: without it the key is refused.
    lists["tee" if tee_origin else "software"]["origin"] = lists["tee"]["origin"].clone(0)
    if no_auth:
        lists[no_auth]["noAuthRequired"] = lists[no_auth]["noAuthRequired"].clone(Null(""))
    if user_auth_type:
        lists[user_auth_type]["userAuthType"] = lists[user_auth_type]["userAuthType"].clone(2)
    description["softwareEnforced"] = lists["software"]
    description["teeEnforced"] = lists["tee"]
    return der_encode(description)


def _android_statement(facts):
    """A builder for tests.support.attestation: an android-key statement whose KeyDescription
    holds `facts`, its certificate issued by the test root the metadata lists."""
    def build(self, auth_data: bytes, client_hash: bytes, rp: str):
        extension = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.1.17"),
                                               _description(client_hash, **facts))
        cert = self.pki.credential_certificate(self.private_key.public_key(), trusted=True,
                                               extensions=[(extension, False)])
        sig = self.private_key.sign(auth_data + client_hash, ec.ECDSA(hashes.SHA256()))
        return "android-key", {"alg": -7, "sig": sig, "x5c": [der(cert), der(self.pki.root)]}
    return build


def _enrol_android(client, app, pki, metadata, monkeypatch, **changes):
    # The listed model: its metadata names the test root (standing in for Google's hardware
    # attestation root) and a fingerprint sensor.
    metadata([pki.entry(aaguid=AAGUIDS["android-key"], uv_methods=[["fingerprint_internal"]],
                        description="Test Android phone")])
    monkeypatch.setitem(attestation._STATEMENTS, "android-key",
                        _android_statement({**GENUINE, **changes}))
    key = device_key(pki, "android-key")
    enrolled = enrol(client, key)
    with get_db(app).read() as db:
        row = db.query(PasskeyAssurance).one()
        found = assess(db, citizen_id=enrolled.citizen_id, credential_id=key.credential_id,
                       amr=("hwk", "mfa"))
    return row, found


UNPROVEN = {
    "software_attestation": {"attestation_level": 0},
    "software_keymaster": {"keymaster_level": 0},
    "usable_without_the_user": {"no_auth": "tee"},
    "usable_without_the_user_in_software": {"no_auth": "software"},
    "user_authentication_enforced_in_software": {"user_auth_type": "software"},
    "another_purpose_in_software": {"software_purpose": (2, 3)},
}


@pytest.mark.parametrize("changes", UNPROVEN.values(), ids=UNPROVEN.keys())
def test_an_android_key_not_guarded_by_secure_hardware_does_not_prove_its_model(
        client, fresh_app, pki, metadata, monkeypatch, changes):
    row, found = _enrol_android(client, fresh_app, pki, metadata, monkeypatch, **changes)
    assert (row.attestation_trusted, row.authenticator_level, row.uv_method) == (False, "substantial", None)
    assert "fpt" not in found.amr and found.authenticator == "substantial"


@pytest.mark.parametrize("changes", [{}, {"attestation_level": 2, "keymaster_level": 2},
                                     {"user_auth_type": None}], ids=["tee", "strongbox", "no_auth_type"])
def test_an_android_key_in_secure_hardware_proves_its_model(client, fresh_app, pki, metadata,
                                                            monkeypatch, changes):
    row, found = _enrol_android(client, fresh_app, pki, metadata, monkeypatch, **changes)
    assert (row.attestation_trusted, row.authenticator_level, row.uv_method) == (True, "high", "fpt")
    assert found.amr == ("hwk", "user", "fpt", "mfa")


def test_a_certificate_without_a_readable_key_description_proves_nothing(pki):
    plain = pki.credential_certificate(ec.generate_private_key(ec.SECP256R1()).public_key(),
                                       trusted=True, extensions=[])
    assert not hardware_bound(der(plain))
    garbled = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.1.17"), b"\x30\x03\x02")
    broken = pki.credential_certificate(ec.generate_private_key(ec.SECP256R1()).public_key(),
                                        trusted=True, extensions=[(garbled, False)])
    assert not hardware_bound(der(broken))
