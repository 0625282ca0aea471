"""The [wallet] settings: checked at start; `enabled = false` removes every wallet endpoint
and link while documents and their verification pages work as before."""

from __future__ import annotations

import pytest

from infra.config import ConfigError


def test_disabled_wallet_has_no_endpoints(backend, tmp_path):
    from idp import create_app
    from infra.db import get_db
    from infra.store import get_store
    from tests.conftest import settings_for

    app = create_app(settings_for(backend, tmp_path, wallet={"enabled": False}))
    try:
        client = app.test_client()
        assert client.get("/.well-known/openid-credential-issuer").status_code == 404
        assert client.post("/wallet/nonce").status_code == 404
        assert "/wallet/" not in str(client.get("/openapi.json").get_json()["paths"])
        assert client.get("/enrol").status_code == 200
        assert "enrol-wallet-link" not in client.get("/enrol").get_data(as_text=True)
        assert client.get("/login").status_code == 200
        assert "wallet-signin" not in client.get("/login").get_data(as_text=True)
        assert client.get("/login/wallet").status_code == 404
    finally:
        get_db(app).dispose()
        get_store(app).close()


@pytest.mark.parametrize(("section", "message"), [
    ({"tx_code_length": 2}, "wallet.tx_code_length"),
    ({"status_list_size": 100}, "multiple of 8"),
    ({"enabled": "yes"}, "wallet.enabled"),
    ({"sign_in": "yes"}, "wallet.sign_in must be true or false"),
])
def test_bad_settings_are_named(backend, tmp_path, section, message):
    from idp import create_app
    from tests.conftest import settings_for

    with pytest.raises(ConfigError, match=message):
        create_app(settings_for(backend, tmp_path, wallet=section))
