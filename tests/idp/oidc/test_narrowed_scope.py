"""A token narrowed at refresh (RFC 6749 section 6: `scope` asks for less) carries less: its
restricted claims go with the scope that was left out, even when the claims parameter of the
authorization asked for them."""

from __future__ import annotations

from tests.idp.oidc.conftest import bearer, claims_of, token_request, tokens_for


def _introspected(client, agency, token: str) -> dict:
    form, headers = agency.auth({"token": token})
    return client.post("/introspect", data=form, headers=headers).get_json()


def test_a_refresh_narrowed_without_national_id_releases_no_national_id(client, register, citizen):
    agency = register(scope="openid profile national_id offline_access", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token"])
    body = tokens_for(client, agency, scope="openid national_id offline_access",
                      claims='{"userinfo": {"national_id": null}}')
    assert client.get("/userinfo", headers=bearer(body["access_token"])).get_json()["national_id"]

    narrowed = token_request(client, agency, {"grant_type": "refresh_token", "scope": "openid offline_access",
                                              "refresh_token": body["refresh_token"]})
    assert narrowed.status_code == 200, narrowed.get_json()
    token = narrowed.get_json()["access_token"]
    assert claims_of(token)["scope"] == "openid offline_access"
    info = client.get("/userinfo", headers=bearer(token))
    assert info.status_code == 200 and "national_id" not in info.get_json()
    # Introspection (RFC 7662) reports each token's own scope: the access token's narrowed one,
    # the refresh token's whole one (RFC 6749 section 6: a refresh keeps the original scope).
    assert _introspected(client, agency, token)["scope"] == "openid offline_access"
    kept = _introspected(client, agency, narrowed.get_json()["refresh_token"])
    assert kept["scope"] == "openid national_id offline_access"

    # The refresh token kept the whole scope: a refresh without `scope` releases it again.
    again = token_request(client, agency, {"grant_type": "refresh_token",
                                           "refresh_token": narrowed.get_json()["refresh_token"]})
    whole = client.get("/userinfo", headers=bearer(again.get_json()["access_token"])).get_json()
    assert whole["national_id"] == citizen.national_id


def test_a_narrowed_token_is_not_sent_to_step_up_for_a_claim_it_does_not_carry(client, register, citizen,
                                                                             monkeypatch):
    """RFC 9470 at /userinfo asks for a higher sign-in only for national_id: a token narrowed
    without it answers at the level it was issued at."""
    from dataclasses import replace

    from idp.oidc import PROVIDER, provider
    from tests.support.components import replace_component

    agency = register(scope="openid profile national_id offline_access", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token"])
    body = tokens_for(client, agency, scope="openid profile national_id offline_access",
                      claims='{"userinfo": {"national_id": null}}')
    narrowed = token_request(client, agency, {"grant_type": "refresh_token", "scope": "openid profile",
                                              "refresh_token": body["refresh_token"]}).get_json()
    before = provider(client.application)
    replace_component(monkeypatch, client.application, PROVIDER,
                      replace(before, settings=replace(before.settings, national_id_level="substantial")))
    whole = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert whole.status_code == 401 and whole.get_json()["error"] == "insufficient_user_authentication"
    info = client.get("/userinfo", headers=bearer(narrowed["access_token"]))
    assert info.status_code == 200, info.get_json()
    assert "national_id" not in info.get_json() and info.get_json()["given_name"]
