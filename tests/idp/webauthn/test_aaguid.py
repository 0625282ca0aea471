from idp.webauthn.aaguid import ZERO, model_name


def test_known_and_unknown_models():
    assert model_name("FBFC3007-154E-4ECC-8C0B-6E020557D7BD") == "iCloud Keychain"
    assert model_name("d548826e-79b4-db40-a3d8-11116f7e8349") == "Bitwarden"
    assert model_name(ZERO) is None
