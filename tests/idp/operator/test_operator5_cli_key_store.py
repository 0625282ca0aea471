"""`cedula` commands stopped by a key store that cannot be opened (an HSM whose module, token or
PIN is wrong, a software store without its master key) say what to check, exit 1, and never
print a traceback (`cedula audit log-key show` printed one)."""

from __future__ import annotations

import pytest

from keys.errors import KeyStoreUnavailable
from tests.support.cli import cedula


def _refuse(*_args, **_kwargs):
    raise KeyStoreUnavailable("PKCS#11 token not usable: CKR_PIN_INCORRECT")


@pytest.mark.parametrize("args", [("audit", "log-key", "show"), ("audit", "log-key", "rotate")])
def test_the_log_key_commands_name_the_settings_to_check(oidc_app, monkeypatch, args):
    from idp.audit.log_key import LogKeys

    monkeypatch.setattr(LogKeys, "current", _refuse)
    monkeypatch.setattr(LogKeys, "rotate", _refuse)
    result = cedula(oidc_app, *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, KeyStoreUnavailable)
    assert result.output.startswith("Error: the key store cannot be used (PKCS#11 token not usable: "
                                    "CKR_PIN_INCORRECT): check CEDULA_KEYSTORE (keys.backend)")
    assert result.output.rstrip().endswith("then run the command again")


def test_the_keys_commands_name_the_settings_to_check(oidc_app, monkeypatch):
    from keys.custody import Custody

    monkeypatch.setattr(Custody, "initialise", _refuse)
    result = cedula(oidc_app, "keys", "init")
    assert result.exit_code == 1
    assert "the key store cannot be used (PKCS#11 token not usable: CKR_PIN_INCORRECT): check" in result.output
    assert "then run the command again" in result.output


def test_an_hsm_names_the_pkcs11_settings():
    sentence = KeyStoreUnavailable("no PKCS#11 token labelled 'x'").sentence("pkcs11")
    assert "CEDULA_PKCS11_MODULE, CEDULA_PKCS11_TOKEN and CEDULA_PKCS11_PIN" in sentence
    assert "master key" not in sentence
