"""The software store's master key: created 0600, checked, never replaced silently."""

from __future__ import annotations

import base64
import os

import pytest

from infra.config import get_settings
from infra.db import get_db
from keys.algorithms import algorithm
from keys.custody import Custody
from keys.errors import KeyStoreUnavailable


def _custody(app, data_dir, **keys_settings):
    settings = {section: dict(values) for section, values in get_settings(app).items()}
    settings["keys"].update({"master_key": "", **keys_settings})  # a key file unless told
    return Custody(settings=settings, data_dir=data_dir,
                   database=get_db(app))


def test_master_key_file_is_created_private(fresh_app, tmp_path):
    custody = _custody(fresh_app, tmp_path)
    custody.initialise()
    path = tmp_path / "master.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_bytes()) == 32


def test_group_readable_master_key_is_refused(fresh_app, tmp_path):
    path = tmp_path / "master.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o640)
    with pytest.raises(KeyStoreUnavailable, match=r"readable by other users .*chmod 600"):
        _custody(fresh_app, tmp_path).initialise()


def test_lost_master_key_is_reported_not_replaced(fresh_app, tmp_path):
    custody = _custody(fresh_app, tmp_path)
    with get_db(fresh_app).transaction() as session:
        custody.new_key(session, purpose="test", algorithm=algorithm("EC-P256"))
    (tmp_path / "master.key").unlink()
    with pytest.raises(KeyStoreUnavailable, match=r"the master key is missing"):
        _custody(fresh_app, tmp_path).initialise()
    assert not (tmp_path / "master.key").exists()


def test_other_master_key_is_detected(fresh_app, tmp_path):
    _custody(fresh_app, tmp_path).initialise()
    other = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    with pytest.raises(KeyStoreUnavailable, match=r"does not match the one the stored keys"):
        _custody(fresh_app, tmp_path, master_key=other).initialise()


def test_master_key_from_environment_must_be_32_bytes(fresh_app, tmp_path):
    short = base64.urlsafe_b64encode(b"x" * 16).decode()
    with pytest.raises(KeyStoreUnavailable, match=r"must decode to 32 bytes, got 16"):
        _custody(fresh_app, tmp_path, master_key=short).initialise()


def test_unknown_backend(fresh_app, tmp_path):
    with pytest.raises(KeyStoreUnavailable, match=r"must be software or pkcs11, got 'vault'"):
        _custody(fresh_app, tmp_path, backend="vault").initialise()


def test_wrapped_keys_in_database_are_not_plaintext(fresh_app, tmp_path):
    import sqlalchemy as sa

    from keys.models import StoredKey

    custody = _custody(fresh_app, tmp_path)
    with get_db(fresh_app).transaction() as session:
        ref = custody.new_key(session, purpose="test", algorithm=algorithm("EC-P256"))
    with get_db(fresh_app).read() as session:
        row = session.scalars(sa.select(StoredKey).where(StoredKey.id == ref.key_id)).one()
    assert row.backend == "software"
    assert row.wrapped[:1] == b"\x01" and b"\x30\x81" not in row.wrapped[:4]


def _hsm_key(app, custody) -> str:
    """A key row as a PKCS#11 store records it (its private half is in the HSM, not here)."""
    import sqlalchemy as sa

    from keys.models import StoredKey

    with get_db(app).transaction() as session:
        ref = custody.new_key(session, purpose="oidc-signing", algorithm=algorithm("EC-P256"))
        session.execute(sa.update(StoredKey).where(StoredKey.id == ref.key_id)
                        .values(backend="pkcs11", wrapped=None))
    return ref.key_id


def test_software_store_over_hsm_keys_says_which_setting_to_change(fresh_app, tmp_path):
    """An operator who runs the software store over keys made in a PKCS#11 token is told what
    is wrong and what to do (it said only "lives in the pkcs11 key store, but keys.backend is
    software")."""
    from keys.errors import KeyNotFound

    custody = _custody(fresh_app, tmp_path)
    key_id = _hsm_key(fresh_app, custody)
    with get_db(fresh_app).read() as session, pytest.raises(KeyNotFound) as refused:
        custody.load_ref(session, key_id)
    message = str(refused.value)
    assert key_id in message and "oidc-signing" in message
    assert "PKCS#11" in message and "HSM" in message
    assert "CEDULA_KEYSTORE=pkcs11" in message
    for setting in ("CEDULA_PKCS11_MODULE", "CEDULA_PKCS11_TOKEN", "CEDULA_PKCS11_PIN"):
        assert setting in message


def test_hsm_store_over_software_keys_names_the_master_key():
    from keys.custody import elsewhere

    message = elsewhere(key_id="k1", purpose="seal", stored="software", configured="pkcs11")
    assert "CEDULA_KEYSTORE=software" in message and "CEDULA_MASTER_KEY" in message
    assert "master.key" in message and "k1" in message and "seal" in message
