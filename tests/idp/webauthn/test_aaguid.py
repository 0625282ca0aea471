import re
import tomllib

from idp.webauthn.aaguid import DATA, ZERO, model_name, models

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_known_and_unknown_models():
    assert model_name("FBFC3007-154E-4ECC-8C0B-6E020557D7BD") == "iCloud Keychain"
    assert model_name("d548826e-79b4-db40-a3d8-11116f7e8349") == "Bitwarden"
    assert model_name(ZERO) is None
    assert model_name("") is None and model_name(None) is None
    assert model_name("12345678-1234-1234-1234-123456789abc") is None


def test_the_providers_the_account_pages_must_name():
    names = set(models().values())
    for wanted in ("iCloud Keychain", "Google Password Manager", "Windows Hello", "1Password",
                   "Bitwarden", "Dashlane", "Samsung Pass", "YubiKey 5 Series", "Chrome on Mac"):
        assert wanted in names, wanted
    assert model_name("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4") == "Google Password Manager"
    assert model_name("08987058-cadc-4b81-b6e1-30de50dcbe96") == "Windows Hello"
    assert model_name("cb69481e-8ff7-4039-93ec-0a2729a154a8") == "YubiKey 5 Series"
    assert model_name("adce0002-35bc-c60a-648b-0b25f1f05503") == "Chrome on Mac"


def test_the_data_file_is_well_formed_and_says_where_it_comes_from():
    text = DATA.read_text(encoding="utf-8")
    assert "passkey-authenticator-aaguids" in text and "FIDO" in text and "licence" in text
    tables = tomllib.loads(text)
    for table in ("providers", "security_keys"):
        for aaguid, name in tables[table].items():
            assert UUID.match(aaguid), aaguid
            assert name and name == name.strip() and len(name) <= 64
    assert ZERO not in models()
