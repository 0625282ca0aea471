"""RFC 9470 at /userinfo: national_id only from a sign-in at the configured level, otherwise a
401 insufficient_user_authentication challenge naming the acr_values to ask for."""

from __future__ import annotations

from dataclasses import replace

from idp.oidc import PROVIDER, provider
from tests.idp.oidc.conftest import bearer, tokens_for
from tests.support.components import replace_component


def test_a_low_sign_in_gets_a_step_up_challenge_for_national_id(client, register, citizen, monkeypatch):
    agency = register(scope="openid profile national_id", security_profile="oidc")
    body = tokens_for(client, agency, scope="openid national_id")
    assert client.get("/userinfo", headers=bearer(body["access_token"])).get_json()["national_id"]

    before = provider(client.application)
    replace_component(monkeypatch, client.application, PROVIDER,
                      replace(before, settings=replace(before.settings, national_id_level="substantial")))
    refused = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert refused.status_code == 401 and refused.get_json()["error"] == "insufficient_user_authentication"
    challenge = refused.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="cedula", error="insufficient_user_authentication"')
    assert 'acr_values="http://eidas.europa.eu/LoA/substantial"' in challenge

    # A token whose answer holds no national_id is not refused.
    plain = tokens_for(client, agency, scope="openid profile")
    assert client.get("/userinfo", headers=bearer(plain["access_token"])).status_code == 200
