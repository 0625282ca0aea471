"""A key store over keys made in the other one (software over an HSM's keys, or the reverse)
cannot sign with any of them. `cedula keys init` said "key store ready" and `/readyz` stayed 200
until the first signature failed: now the command says what is wrong and which setting to change
(exit 1), and `/readyz` answers 503 naming the problem, from a verdict kept per key-store
settings (no query and no signature per probe)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from infra.config import get_settings
from infra.db import get_db
from keys.custody import Custody
from keys.errors import KeyStoreUnavailable
from keys.models import StoredKey
from tests.support.cli import cedula

HSM_KEY = "ab" * 16


def _key_made_in(app, backend: str, key_id: str = HSM_KEY) -> None:
    """A key row as that key store records it (its private half is elsewhere)."""
    with get_db(app).transaction() as session:
        session.add(StoredKey(id=key_id, purpose="oidc", algorithm="EC-P256", backend=backend,
                              wrapped=None if backend == "pkcs11" else b"wrapped", public_key=b"spki",
                              created_at=datetime.now(UTC)))


def _custody(app, tmp_path, **keys_settings) -> Custody:
    settings = {section: dict(values) for section, values in get_settings(app).items()}
    settings["keys"].update(keys_settings)
    return Custody(settings=settings, data_dir=tmp_path, database=get_db(app))


@pytest.fixture
def hsm_keys(fresh_app):
    """The test app (software key store) over a database whose keys were made in an HSM."""
    from keys import get_service

    _key_made_in(fresh_app, "pkcs11")
    yield fresh_app
    get_service(fresh_app).invalidate()  # the next test's emptied tables are asked again


def test_keys_init_over_hsm_keys_says_what_is_wrong_and_fails(hsm_keys):
    result = cedula(hsm_keys, "keys", "init")
    assert result.exit_code == 1, result.output
    assert "key store ready" not in result.output and "signing keys created" not in result.output
    assert f"key {HSM_KEY} (oidc) was made in the PKCS#11 key store" in result.output
    assert "CEDULA_KEYSTORE=pkcs11" in result.output


def test_hsm_store_over_software_keys_refuses_before_opening_the_token(fresh_app, tmp_path):
    _key_made_in(fresh_app, "software")
    custody = _custody(fresh_app, tmp_path, backend="pkcs11", pkcs11_module="/nonexistent/module.so",
                       pkcs11_token="t", pkcs11_pin="0")
    with pytest.raises(KeyStoreUnavailable) as refused:
        custody.initialise()
    message = str(refused.value)
    assert "but keys.backend is pkcs11" in message and "CEDULA_KEYSTORE=software" in message
    assert "CEDULA_MASTER_KEY" in message


def test_readyz_is_503_naming_the_problem(hsm_keys):
    answer = hsm_keys.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    keys = answer.get_json()["checks"]["keys"]
    assert keys["status"] == "fail"
    assert "made in the PKCS#11 key store" in keys["detail"] and "keys.backend is software" in keys["detail"]
    assert "CEDULA_KEYSTORE=pkcs11" in keys["detail"]
    assert HSM_KEY not in keys["detail"]  # public: names the problem, not the keys


def test_readyz_asks_the_database_once_while_the_settings_stay(hsm_keys):
    """The verdict is kept: further probes do not list the keys again (and sign nothing)."""
    from keys import get_service

    client = hsm_keys.test_client()
    assert client.get("/readyz").status_code == 503
    asked: list[str] = []

    def note(conn, cursor, statement, *args):
        if re.search(r"FROM keys_key\b", statement):
            asked.append(statement)

    engine = get_db(hsm_keys).engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        for _ in range(3):
            assert client.get("/readyz").status_code == 503
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert asked == []
    assert get_service(hsm_keys).custody.misplaced() is not None


def test_changed_key_store_settings_are_checked_again(fresh_app, tmp_path):
    _key_made_in(fresh_app, "pkcs11")
    custody = _custody(fresh_app, tmp_path, backend="software")
    assert custody.misplaced() is not None
    custody.settings["keys"].update(backend="pkcs11", pkcs11_token="cedula")
    assert custody.misplaced() is None


def test_matching_keys_stay_ready(fresh_app, tmp_path):
    _key_made_in(fresh_app, "software")
    assert _custody(fresh_app, tmp_path, backend="software").misplaced() is None
