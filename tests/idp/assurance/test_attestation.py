"""Attestation statements of each format are accepted or refused per the metadata BLOB, and
what they proved is recorded with the passkey."""

from __future__ import annotations

import pytest

from idp.webauthn import relying_party
from tests.idp.assurance.conftest import all_formats_listed, device_key
from tests.idp.conftest import dui, enrol, fields, post_json, registration_options
from tests.support.attestation import AAGUIDS, FORMATS


def _facts(app, key):
    from idp.assurance.models import PasskeyAssurance
    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(app).read() as db:
        passkey = db.query(Passkey).filter_by(credential_id=key.credential_id).one()
        row = db.get(PasskeyAssurance, passkey.id)
        return passkey.attestation_format, passkey.backup_eligible, row.attestation_trusted, \
            row.authenticator_level


def _register(client, key, number=4892613):
    options = registration_options(client, fields(national_id=dui(number)))
    return options, post_json(client, "/webauthn/registration/verify", key.register(options))


@pytest.mark.parametrize("fmt", FORMATS)
def test_listed_device_bound_authenticator_reaches_high(client, fresh_app, pki, metadata, fmt):
    metadata(all_formats_listed(pki))
    key = device_key(pki, fmt)
    options, response = _register(client, key)
    assert options["attestation"] == "direct"
    assert response.status_code == 200, response.get_json()
    name = "packed" if fmt == "packed-full" else fmt
    assert _facts(fresh_app, key) == (name, False, True, "high")


@pytest.mark.parametrize("fmt", FORMATS)
def test_synced_passkey_never_reaches_high(client, fresh_app, pki, metadata, fmt):
    metadata(all_formats_listed(pki))
    key = device_key(pki, fmt, backup_eligible=True, backed_up=True)
    _, response = _register(client, key)
    assert response.status_code == 200, response.get_json()
    assert _facts(fresh_app, key)[1:] == (True, True, "substantial")


@pytest.mark.parametrize("status", ["REVOKED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE",
                                    "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_revoked_or_compromised_authenticators_are_refused(client, pki, metadata, fmt, status):
    metadata(all_formats_listed(pki, statuses=["FIDO_CERTIFIED", status]))
    _, response = _register(client, device_key(pki, fmt))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "authenticator_refused"
    assert body["error_description"].startswith("Este modelo de llave de acceso tiene un fallo")


@pytest.mark.parametrize("fmt", ["packed-full", "fido-u2f", "tpm"])
def test_chain_to_an_unlisted_root_is_accepted_untrusted(client, fresh_app, pki, metadata, fmt):
    metadata(all_formats_listed(pki))
    key = device_key(pki, fmt, trusted_chain=False)
    _, response = _register(client, key)
    assert response.status_code == 200, response.get_json()
    assert _facts(fresh_app, key)[2:] == (False, "substantial")


@pytest.mark.parametrize("fmt", ["android-key", "apple"])
def test_vendor_formats_must_chain_to_a_known_root(client, pki, metadata, fmt):
    # py_webauthn checks these against the vendor's roots plus the metadata's roots.
    metadata(all_formats_listed(pki))
    _, response = _register(client, device_key(pki, fmt, trusted_chain=False))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_credential"


@pytest.mark.parametrize("fmt", FORMATS)
def test_not_in_the_blob_means_not_trusted(client, fresh_app, pki, metadata, fmt):
    # Another authenticator, with another root: ours is listed nowhere.
    metadata([pki.entry(key_identifiers=["00" * 20], roots=[pki.other_root])])
    key = device_key(pki, fmt)
    _, response = _register(client, key)
    if fmt in ("android-key", "apple"):  # no known root for these: py_webauthn refuses
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_credential"
    else:
        assert response.status_code == 200, response.get_json()
        assert _facts(fresh_app, key)[2:] == (False, "substantial")


def test_refuse_mode_only_registers_trusted_authenticators(client, fresh_app, pki, metadata,
                                                          monkeypatch):
    metadata(all_formats_listed(pki))
    policy = relying_party(fresh_app).attestation
    monkeypatch.setattr(policy, "refuse_untrusted", True)
    _, response = _register(client, device_key(pki, "packed-full", trusted_chain=False))
    assert response.status_code == 400
    assert response.get_json()["error"] == "attestation_untrusted"
    from tests.support.authenticator import SoftwareAuthenticator

    _, response = _register(client, SoftwareAuthenticator(), number=4892614)
    assert response.get_json()["error"] == "attestation_untrusted"
    _, response = _register(client, device_key(pki, "tpm"), number=4892615)
    assert response.status_code == 200, response.get_json()


def test_without_metadata_nothing_is_asked_and_nothing_reaches_high(client, fresh_app, pki):
    key = device_key(pki, "packed-full")
    options, response = _register(client, key)
    assert options["attestation"] == "none"
    assert response.status_code == 200
    assert _facts(fresh_app, key)[2:] == (False, "substantial")


def test_uv_method_from_metadata_is_recorded(client, fresh_app, pki, metadata):
    from idp.assurance.models import PasskeyAssurance
    from infra.db import get_db

    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], uv_methods=[["fingerprint_internal"]],
                        description="Test Key Bio")])
    enrolled = enrol(client, device_key(pki))
    with get_db(fresh_app).read() as db:
        row = db.query(PasskeyAssurance).one()
        assert (row.uv_method, row.description) == ("fpt", "Test Key Bio")
    assert enrolled.citizen_id


def test_trust_anchor_path_validation(pki):
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric import ec

    from idp.assurance.policy import _anchors, chains_to_anchor
    from tests.support.attestation import _name, certificate, pem

    now = datetime.now(UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    intermediate = certificate(subject=_name("Intermediate"), key=ca_key, issuer=pki.root,
                               issuer_key=pki.root_key, ca=True)
    leaf = certificate(subject=_name("Leaf"), key=leaf_key, issuer=intermediate, issuer_key=ca_key)
    by_root = _anchors((pem(pki.root),))
    assert chains_to_anchor([leaf, intermediate], by_root, now=now)
    assert not chains_to_anchor([leaf], by_root, now=now)  # the intermediate is missing
    assert chains_to_anchor([leaf], _anchors((pem(intermediate),)), now=now)
    assert chains_to_anchor([leaf], _anchors((pem(leaf),)), now=now)  # the anchor is the leaf
    assert not chains_to_anchor([leaf, intermediate], _anchors((pem(pki.other_root),)), now=now)
    assert not chains_to_anchor([leaf, intermediate], by_root, now=now + timedelta(days=365 * 30))
    not_ca = certificate(subject=_name("Not a CA"), key=ca_key, issuer=pki.root,
                         issuer_key=pki.root_key)
    leaf2 = certificate(subject=_name("Leaf"), key=leaf_key, issuer=not_ca, issuer_key=ca_key)
    assert not chains_to_anchor([leaf2, not_ca], by_root, now=now)
