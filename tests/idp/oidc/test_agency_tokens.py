"""An agency's own access tokens (client credentials, RFC 6749 section 4.4) are revocable
(RFC 7009) and introspectable (RFC 7662) like a citizen's; revoked, or of a disabled client,
they stop working at the documents API (issue 14)."""

from __future__ import annotations

import uuid

import pytest

from tests.idp.oidc.conftest import bearer
from tests.support.basic_auth import basic_auth

DOCUMENT = f"/api/documents/{uuid.uuid4()}"  # none such: a valid token gets 404, an invalid one 401


@pytest.fixture
def agency(register):
    return register(scope="openid profile documents:issue", security_profile="oidc",
                    grant_types=["authorization_code", "refresh_token", "client_credentials"])


def basic(agency) -> dict[str, str]:
    return basic_auth(agency.client_id, agency.secret)


def agency_token(client, agency) -> str:
    answer = client.post("/token", data={"grant_type": "client_credentials"}, headers=basic(agency))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["access_token"]


def introspect(client, agency, token: str) -> dict:
    answer = client.post("/introspect", data={"token": token}, headers=basic(agency))
    assert answer.status_code == 200
    return answer.get_json()


def test_an_agency_token_is_introspectable_by_its_client(client, agency, register):
    token = agency_token(client, agency)
    seen = introspect(client, agency, token)
    assert seen["active"] is True and seen["token_type"] == "Bearer"
    assert seen["client_id"] == seen["sub"] == agency.client_id
    assert seen["scope"] == "documents:issue" and seen["aud"] == "http://localhost/api/documents"
    other = register(client_name="Otra agencia")
    assert introspect(client, other, token) == {"active": False}


def test_a_revoked_agency_token_stops_working_everywhere(client, agency):
    token = agency_token(client, agency)
    assert client.get(DOCUMENT, headers=bearer(token)).status_code == 404
    revoked = client.post("/revoke", data={"token": token, "token_type_hint": "access_token"}, headers=basic(agency))
    assert revoked.status_code == 200
    refused = client.get(DOCUMENT, headers=bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error_description"] == "the access token was revoked"
    assert introspect(client, agency, token) == {"active": False}


def test_another_client_cannot_revoke_an_agency_token(client, agency, register):
    token = agency_token(client, agency)
    other = register(client_name="Otra agencia")
    assert client.post("/revoke", data={"token": token}, headers=basic(other)).status_code == 200
    assert client.get(DOCUMENT, headers=bearer(token)).status_code == 404


def test_a_disabled_agencys_token_stops_working(client, agency, oidc_app):
    from clients.registry.services import set_enabled
    from infra.db import get_db

    token = agency_token(client, agency)
    with get_db(oidc_app).transaction() as session:
        set_enabled(session, agency.client_id, enabled=False)
    refused = client.get(DOCUMENT, headers=bearer(token))
    assert refused.status_code == 401 and "disabled" in refused.get_json()["error_description"]


def test_an_agency_token_is_no_citizen_token(client, agency):
    token = agency_token(client, agency)
    answer = client.get("/userinfo", headers=bearer(token))
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_token"


def test_a_client_credentials_token_does_not_wait_for_its_count(client, agency, oidc_app, monkeypatch):
    """Its only write is the token.issued count: deferred (infra.deferred_counts), no
    transaction committed before the answer; a reader of the same process sees it at once."""
    from datetime import UTC, datetime

    from idp.indicators.report import Period
    from idp.indicators.services import report
    from infra.db import get_db
    from infra.group_commit import get_group_commit
    from tests.support.clock import Span

    began = Span(datetime.now(UTC))  # the count's day: this one or, after a midnight UTC, the next
    group = get_group_commit(oidc_app)
    monkeypatch.setattr(group.deferred, "_delay", 3600)
    committed: list[object] = []
    monkeypatch.setattr(group, "commit", lambda *a, **k: committed.append(a))
    agency_token(client, agency)
    assert committed == []
    days = began.days()
    assert group.deferred.pending in [{(day, agency.client_id, "token.issued", "client_credentials"): 1}
                                      for day in days]
    monkeypatch.undo()
    with get_db(oidc_app).read() as session:
        found = report(session, Period(start=days[0], end=days[-1]), agency=agency.client_id)
    assert found.total("token.issued", "client_credentials") == 1
