"""The whole `keys` surface with every key inside a SoftHSM2 token."""

from __future__ import annotations

import time

import pytest

from infra.db import get_db

pytestmark = pytest.mark.pkcs11


@pytest.fixture(scope="module")
def hsm_service(softhsm, backend, tmp_path_factory):
    from idp import create_app
    from keys import get_service
    from tests.conftest import settings_for

    data = tmp_path_factory.mktemp("hsm-app")
    url = f"sqlite:///{data / 'cedula.db'}"
    from idp.schema import SCHEMA

    SCHEMA.upgrade(url)
    app = create_app(settings_for(
        backend, data, database={"url": url},
        keys={"backend": "pkcs11", "pkcs11_module": softhsm.module,
              "pkcs11_token": softhsm.label, "pkcs11_pin": softhsm.pin}))
    service = get_service(app)
    service.custody.initialise()
    service.keyring.bootstrap(service.now())
    service.pki.init(service.now())
    yield service
    get_db(app).dispose()


def test_keys_live_in_the_token(hsm_service):
    import sqlalchemy as sa

    from keys.models import StoredKey

    with hsm_service.custody.database.read() as session:
        rows = session.execute(sa.select(StoredKey.backend, StoredKey.wrapped)).all()
    assert rows and all(b == "pkcs11" and w is None for b, w in rows)
    assert not (hsm_service.settings.data_dir / "master.key").exists()


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_jwt_signed_in_the_token(hsm_service, alg):
    from keys import sign_jwt, verify_jwt

    token = sign_jwt(hsm_service, {"sub": "x", "exp": int(time.time()) + 60}, alg=alg)
    assert verify_jwt(token, algorithms=[alg], app=hsm_service).claims["sub"] == "x"


def test_seal_signed_in_the_token(hsm_service):
    from keys import issue_seal_certificate, seal_signer
    from tests.keys.test_signers import _sign, _validate

    issue_seal_certificate(hsm_service, client_id="h", organization_name="H",
                           organization_identifier="VATSV-H")
    signed = _sign(hsm_service, seal_signer(hsm_service, client_id="h"), lta=True)
    assert _validate(hsm_service, signed).bottom_line


def test_one_time_citizen_key_is_destroyed_in_the_token(hsm_service, caplog):
    """Issue 12: after the signature the key is gone from the token; it cannot sign again."""
    import logging

    from keys import KeyNotFound, certificate_signer, destroy_key, issue_citizen_certificate
    from keys.custody import Custody

    issued = issue_citizen_certificate(hsm_service, given_name="Ana", surname="López",
                                       serial_number="IDCSV-01234567-8", level="substantial")
    assert hsm_service.custody.sign(issued.key, b"once")
    with caplog.at_level(logging.INFO, logger="keys.pki"):
        destroy_key(hsm_service, issued)
    assert any("destroyed" in r.getMessage() for r in caplog.records)
    with pytest.raises(KeyNotFound):
        hsm_service.custody.sign(issued.key, b"again")
    # not even a process that never saw the key (a fresh custody on the same token)
    fresh = Custody(settings=hsm_service.settings, data_dir=hsm_service.settings.data_dir,
                    database=hsm_service.custody.database)
    with pytest.raises(KeyNotFound):
        fresh.sign(issued.key, b"again")
    with pytest.raises(KeyNotFound):
        certificate_signer(hsm_service, serial=issued.serial)._service.custody.sign(
            issued.key, b"again")
