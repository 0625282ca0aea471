"""An authenticator whose attestation proves nothing about its maker (none, packed self
attestation, a chain to an unlisted root) only claims its AAGUID: what the metadata says of
that model (how it verifies its user) must not be reported as what happened."""

from __future__ import annotations

import pytest

from idp.assurance.models import PasskeyAssurance
from idp.assurance.services import assess
from infra.db import get_db
from tests.idp.assurance.conftest import device_key
from tests.idp.conftest import enrol
from tests.support.attestation import AAGUIDS
from tests.support.authenticator import SoftwareAuthenticator


def _listed_bio_key(pki, metadata):
    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], uv_methods=[["fingerprint_internal"]],
                        description="Test Key Bio")])


@pytest.mark.parametrize("attestation", ["none", "packed"])
def test_a_claimed_aaguid_gives_no_verification_method(client, fresh_app, pki, metadata,
                                                         attestation):
    _listed_bio_key(pki, metadata)
    impostor = SoftwareAuthenticator(aaguid=AAGUIDS["packed-full"].bytes, attestation=attestation)
    enrolled = enrol(client, impostor)
    with get_db(fresh_app).read() as db:
        row = db.query(PasskeyAssurance).one()
        assert (row.attestation_trusted, row.uv_method) == (False, None)
        amr = assess(db, citizen_id=enrolled.citizen_id, credential_id=impostor.credential_id,
                     amr=("hwk", "mfa")).amr
    assert "fpt" not in amr
    assert amr == ("hwk", "user", "mfa")


def test_a_chain_to_an_unlisted_root_gives_no_verification_method(client, fresh_app, pki, metadata):
    _listed_bio_key(pki, metadata)
    key = device_key(pki, "packed-full", trusted_chain=False)
    enrol(client, key)
    with get_db(fresh_app).read() as db:
        row = db.query(PasskeyAssurance).one()
        assert (row.attestation_trusted, row.uv_method) == (False, None)


def test_the_proven_model_still_reports_its_verification_method(client, fresh_app, pki, metadata):
    _listed_bio_key(pki, metadata)
    key = device_key(pki, "packed-full")
    enrolled = enrol(client, key)
    with get_db(fresh_app).read() as db:
        assert db.query(PasskeyAssurance).one().uv_method == "fpt"
        amr = assess(db, citizen_id=enrolled.citizen_id, credential_id=key.credential_id,
                     amr=("hwk", "mfa")).amr
    assert amr == ("hwk", "user", "fpt", "mfa")


def test_a_claimed_method_recorded_before_is_not_reported(client, fresh_app, pki, metadata):
    """A row written when the claimed model's method was still recorded: the amr leaves it out."""
    _listed_bio_key(pki, metadata)
    impostor = SoftwareAuthenticator(aaguid=AAGUIDS["packed-full"].bytes)
    enrolled = enrol(client, impostor)
    with get_db(fresh_app).transaction() as db:
        db.query(PasskeyAssurance).one().uv_method = "fpt"
    with get_db(fresh_app).read() as db:
        amr = assess(db, citizen_id=enrolled.citizen_id, credential_id=impostor.credential_id,
                     amr=("hwk", "mfa")).amr
    assert amr == ("hwk", "user", "mfa")


def _aik_certificate_naming(pki, aaguid):
    """A genuine TPM attestation identity certificate (the listed root issued it) whose
    id-fido-gen-ce-aaguid extension names the model it was made for."""
    from cryptography import x509

    from tests.support.attestation import certificate

    plain = pki.aik_certificate()
    extensions = [(e.value, e.critical) for e in plain.extensions
                  if not isinstance(e.value, x509.BasicConstraints)]
    extensions.append((x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"),
                                                  b"\x04\x10" + aaguid.bytes), False))
    return certificate(subject=plain.subject, key=pki.aik_key, issuer=pki.root,
                       issuer_key=pki.root_key, extensions=extensions)


def test_a_tpm_made_for_another_model_cannot_claim_a_certified_one(client, fresh_app, pki, metadata,
                                                                   monkeypatch):
    """WebAuthn L3 section 8.3.1: an aikCert's AAGUID extension must name the authenticator
    data's AAGUID. A TPM of an uncertified model, under the same maker's root as a certified
    one, claimed the certified model's AAGUID and reached level high."""
    import uuid

    from idp.citizens.models import Passkey

    uncertified = uuid.UUID("6028b017-b1d4-4c02-b4b3-afcdafc96bb2")
    metadata([pki.entry(aaguid=AAGUIDS["tpm"]),
              pki.entry(aaguid=uncertified, statuses=["NOT_FIDO_CERTIFIED"])])
    cert = _aik_certificate_naming(pki, uncertified)
    monkeypatch.setattr(pki, "aik_certificate", lambda trusted=True: cert)
    key = device_key(pki, "tpm")  # claims AAGUIDS["tpm"], the certified model
    enrol(client, key)
    with get_db(fresh_app).read() as db:
        passkey = db.query(Passkey).one()
        row = db.get(PasskeyAssurance, passkey.id)
        assert passkey.attestation_format == "tpm"
        assert (row.attestation_trusted, row.authenticator_level) == (False, "substantial")


def test_a_tpm_whose_certificate_names_its_model_is_trusted(client, fresh_app, pki, metadata,
                                                            monkeypatch):
    metadata([pki.entry(aaguid=AAGUIDS["tpm"])])
    cert = _aik_certificate_naming(pki, AAGUIDS["tpm"])
    monkeypatch.setattr(pki, "aik_certificate", lambda trusted=True: cert)
    key = device_key(pki, "tpm")
    enrol(client, key)
    with get_db(fresh_app).read() as db:
        row = db.query(PasskeyAssurance).one()
        assert (row.attestation_trusted, row.authenticator_level) == (True, "high")
