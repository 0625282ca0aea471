"""A `[keys]` setting the key store could never open with stops the app from being built, with
the setting's name and where it was set: `cedula serve` exits before any worker starts and every
command says it. The store itself opens on first use, so a server started, answered `/readyz`
503 and logged "keys not ready" (`CEDULA_KEYSTORE=pkcs12`, a master key of 3 bytes)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from infra.config import ConfigError, load_settings
from keys.custody import check_settings

GOOD_KEY = "Y2VkdWxhLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE"


@pytest.mark.parametrize(("keys", "message"), [
    ({"backend": "pkcs12"}, "keys.backend must be one of software, pkcs11, got 'pkcs12'"),
    ({"backend": "software", "master_key": "c2hvcnQ"}, "keys.master_key must decode to 32 bytes, got 5"),
    ({"backend": "software", "master_key": "not base64!"}, "keys.master_key must be base64url"),
    ({"backend": "pkcs11", "pkcs11_token": ""}, "keys.pkcs11_token is empty"),
    ({"backend": "pkcs11", "pkcs11_token": "cedula", "pkcs11_pin": ""},
     "keys.pkcs11_pin is empty: set the token's user PIN in the environment (CEDULA_PKCS11_PIN)"),
    ({"backend": "software", "refresh_seconds": -7},
     "keys.refresh_seconds must be a number of seconds from 0 to 3600, got -7"),
    ({"backend": "software", "refresh_seconds": "2"}, "keys.refresh_seconds must be a number of seconds"),
])
def test_a_key_store_that_could_never_open_is_a_configuration_error(keys, message):
    with pytest.raises(ConfigError) as refused:
        check_settings(keys)
    assert str(refused.value).startswith(message)


def test_working_key_settings_pass():
    check_settings({"backend": "software", "master_key": "", "refresh_seconds": 2})
    check_settings({"backend": "software", "master_key": GOOD_KEY, "refresh_seconds": 0})
    check_settings({"backend": "pkcs11", "pkcs11_token": "cedula", "pkcs11_pin": "4321",
                    "master_key": "unused by pkcs11", "refresh_seconds": 0.5})


@pytest.mark.parametrize("command", [["keys", "list"], ["serve", "--port", "1"]])
def test_a_command_and_serve_stop_saying_which_variable_set_it(tmp_path, command):
    from idp.cli import Context, cli

    settings = load_settings(environ={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_KEYSTORE": "pkcs12"})
    result = CliRunner().invoke(cli, command, obj=Context(settings=settings))
    assert result.exit_code == 2, result.output
    assert result.output.strip() == ("Error: keys.backend must be one of software, pkcs11, got 'pkcs12' "
                                     "(set in the environment variable CEDULA_KEYSTORE)")
