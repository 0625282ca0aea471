"""The agency's permission for national_id (a restricted scope, granted by an operator) and the
citizen's decision to release it are judged as they stand when /token commits, not as they were
read before: an operator taking the scope away (or the citizen unticking the claim) while a
code exchange or a refresh runs is not outrun by it.

Before, both read the agency's scopes from the client row read (often cached) before their
transaction: a scope taken away between that read and the commit still wrote a grant with
national_id and released it in the ID token (time of check, time of use)."""

from __future__ import annotations

import pytest

from clients.registry.services import upsert_operator_client
from idp.oidc import services
from infra.db import get_db
from tests.idp.oidc.conftest import bearer, claims_of, exchange, get_code, token_request, tokens_for
from tests.support.once import once

NATIONAL_ID = '{"id_token": {"national_id": null}, "userinfo": {"national_id": null}}'


def _take_national_id_away(app, agency) -> None:
    metadata = {**agency.metadata, "scope": "openid profile offline_access"}
    with get_db(app).transaction() as session:
        upsert_operator_client(session, client_id=agency.client_id, metadata=metadata,
                               fetch_sector=lambda _uri: metadata["redirect_uris"])


@pytest.fixture
def agency(register):
    return register(scope="openid profile national_id offline_access", security_profile="oidc")


def test_a_scope_taken_away_during_the_code_exchange_is_not_released(client, agency, citizen, monkeypatch):
    code, flow = get_code(client, agency, scope="openid national_id offline_access", claims=NATIONAL_ID)
    take_away = once(lambda: _take_national_id_away(client.application, agency))
    read = services._KnownClient.of.__func__

    def read_then_operator_acts(cls, client_row):
        known = read(cls, client_row)  # the exchange has read the agency (its scopes) ...
        take_away()  # ... and the operator's change commits before the exchange's does
        return known

    monkeypatch.setattr(services._KnownClient, "of", classmethod(read_then_operator_acts))
    answer = exchange(client, agency, code, flow)
    body = answer.get_json()
    if answer.status_code == 200:
        assert "national_id" not in claims_of(body["id_token"]), claims_of(body["id_token"])
        assert "national_id" not in body["scope"].split()
    else:
        assert answer.status_code == 400 and body["error"] == "invalid_grant", body


def test_a_scope_taken_away_during_a_refresh_is_not_released(client, agency, citizen, monkeypatch):
    from idp.oidc import fapi

    body = tokens_for(client, agency, scope="openid national_id offline_access", claims=NATIONAL_ID)
    assert claims_of(body["id_token"])["national_id"] == citizen.national_id
    take_away = once(lambda: _take_national_id_away(client.application, agency))
    applies = fapi.applies

    def read_then_operator_acts(client_row):  # called with the agency read, before the transaction
        take_away()
        return applies(client_row)

    monkeypatch.setattr(fapi, "applies", read_then_operator_acts)
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    tokens = refreshed.get_json()
    assert "national_id" not in claims_of(tokens["id_token"]), claims_of(tokens["id_token"])
    assert "national_id" not in tokens["scope"].split()
    info = client.get("/userinfo", headers=bearer(tokens["access_token"]))
    assert info.status_code == 401 or "national_id" not in info.get_json()
