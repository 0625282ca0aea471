"""A scope the operator takes away from a portal stops releasing its claims at once: the tokens
already issued (an access token at UserInfo, a refresh token and the ID token it brings) stand
on the scopes the portal holds when they are used, as agency tokens do (docs/agencies.md 7)."""

from __future__ import annotations

from clients.registry.services import upsert_operator_client
from infra.db import get_db
from tests.idp.oidc.conftest import bearer, claims_of, token_request, tokens_for

NATIONAL_ID = '{"id_token": {"national_id": null}, "userinfo": {"national_id": null}}'


def _operator_sets_scope(app, agency, scope: str) -> None:
    """The operator changes the scopes the portal holds (what the console's form does)."""
    metadata = {**agency.metadata, "scope": scope}
    with get_db(app).transaction() as session:
        upsert_operator_client(session, client_id=agency.client_id, metadata=metadata,
                               fetch_sector=lambda _uri: metadata["redirect_uris"])


def _take_national_id_away(app, agency) -> None:
    _operator_sets_scope(app, agency, "openid profile offline_access")


def _assert_no_national_id(client, tokens) -> None:
    """Neither the tokens' scope, nor the ID token, nor UserInfo with the access token carry it."""
    assert "national_id" not in tokens["scope"].split()
    assert "national_id" not in claims_of(tokens["id_token"])
    assert "national_id" not in client.get("/userinfo", headers=bearer(tokens["access_token"])).get_json()


def test_national_id_stops_when_the_operator_takes_the_scope_away(client, register, citizen):
    agency = register(scope="openid profile national_id offline_access", security_profile="oidc")
    body = tokens_for(client, agency, scope="openid national_id offline_access", claims=NATIONAL_ID)
    assert claims_of(body["id_token"])["national_id"] == citizen.national_id
    assert client.get("/userinfo", headers=bearer(body["access_token"])).get_json()["national_id"]

    _take_national_id_away(client.application, agency)

    # The access token issued before: no national_id any more.
    info = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert info.status_code == 401 or "national_id" not in info.get_json(), info.get_json()
    # A refresh: neither the new tokens' scope nor the new ID token carry it.
    refreshed = token_request(client, agency, {"grant_type": "refresh_token",
                                               "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    _assert_no_national_id(client, refreshed.get_json())


def test_a_code_redeemed_after_the_scope_was_taken_away_releases_none_of_it(client, register, citizen):
    from tests.idp.oidc.conftest import Flow, authorize_url, decide, exchange, redirect_params

    agency = register(scope="openid profile national_id offline_access", security_profile="oidc")
    flow = Flow()
    page = client.get(authorize_url(agency, flow, scope="openid national_id", claims=NATIONAL_ID))
    _take_national_id_away(client.application, agency)  # while the consent page is open
    code = redirect_params(decide(client, page), agency)["code"]
    redeemed = exchange(client, agency, code, flow)
    assert redeemed.status_code == 200, redeemed.get_json()
    _assert_no_national_id(client, redeemed.get_json())


def test_a_refresh_after_the_operator_took_offline_access_away_says_so(client, register, citizen):
    """The refusal names what happened: the portal no longer holds offline_access (it said the
    citizen had withdrawn it, sending the agency's support to the citizen)."""
    agency = register(scope="openid profile offline_access", security_profile="oidc")
    body = tokens_for(client, agency, scope="openid offline_access")
    _operator_sets_scope(client.application, agency, "openid profile")
    refused = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    description = refused.get_json()["error_description"]
    assert "operator" in description and "citizen no longer allows" not in description, description
