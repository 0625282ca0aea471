"""The consent step in the authorization flow: values shown, required vs optional, remembered
per agency, asked again for new claims or with prompt=consent, and exactly what was granted
released in the ID token and at UserInfo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.idp.consent.conftest import log_of
from tests.idp.oidc.conftest import (
    Flow,
    authorize_url,
    bearer,
    claims_of,
    decide,
    exchange,
    redirect_params,
    tokens_for,
)


def test_page_shows_each_item_with_its_value_required_and_optional(client, register, citizen):
    agency = register(purpose="Emitir tu partida de nacimiento")
    claims = '{"id_token": {"given_name": {"essential": true}}}'
    page = client.get(authorize_url(agency, Flow(), claims=claims))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    required = html[html.index('id="required"'):html.index('id="optional"')]
    optional = html[html.index('id="optional"'):]
    assert 'data-claim="sub"' in required and 'data-claim="given_name"' in required
    assert "Ana María" in required and 'name="claim" value="given_name"' not in html
    for name, value in (("family_name", "López Pérez"), ("birthdate", "1990-05-17"), ("email", "ana@example.sv")):
        assert f'<input type="checkbox" id="claim-{name}" name="claim" value="{name}" checked>' in optional
        assert value in optional
    assert '<label for="claim-email_verified">' in optional
    assert "Emitir tu partida de nacimiento" in html
    assert "style=" not in html and "onclick" not in html and "<script>" not in html


def test_deny_sends_access_denied_and_records_nothing(client, register, citizen):
    agency = register()
    flow = Flow()
    result = redirect_params(decide(client, client.get(authorize_url(agency, flow)), "deny"), agency)
    assert result["error"] == "access_denied" and result["state"] == flow.state
    assert log_of(client.application, citizen.citizen_id) == []
    assert client.get(authorize_url(agency, Flow())).status_code == 200  # still asks


def test_unticked_optional_claims_are_absent_from_id_token_and_userinfo(client, register, citizen):
    agency = register()
    flow = Flow()
    claims = '{"id_token": {"birthdate": null, "family_name": null}, "userinfo": {"email": null}}'
    page = client.get(authorize_url(agency, flow, claims=claims))
    response = decide(client, page, ticked=["given_name", "family_name"])
    body = exchange(client, agency, redirect_params(response, agency)["code"], flow).get_json()
    id_token = claims_of(body["id_token"])
    assert id_token["family_name"] == "López Pérez" and "birthdate" not in id_token
    info = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert set(info) == {"sub", "given_name", "family_name"}
    assert body["scope"] == "openid profile"  # nothing of "email" was allowed

    # The decision stands: the next sign-in asks nothing and releases the same.
    again = tokens_for(client, agency, claims=claims)
    assert set(client.get("/userinfo", headers=bearer(again["access_token"])).get_json()) == \
        {"sub", "given_name", "family_name"}


def test_essential_claims_cannot_be_refused(client, register, citizen):
    agency = register()
    flow = Flow()
    page = client.get(authorize_url(agency, flow, scope="openid",
                                    claims='{"userinfo": {"email": {"essential": true}}}'))
    response = decide(client, page, ticked=[])  # the form cannot untick what has no box
    body = exchange(client, agency, redirect_params(response, agency)["code"], flow).get_json()
    assert client.get("/userinfo", headers=bearer(body["access_token"])).get_json()["email"] == "ana@example.sv"


def test_ticks_outside_the_request_grant_nothing(client, register, citizen):
    agency = register()
    flow = Flow()
    page = client.get(authorize_url(agency, flow, scope="openid email"))
    response = decide(client, page, ticked=["email", "email_verified", "given_name", "birthdate"])
    body = exchange(client, agency, redirect_params(response, agency)["code"], flow).get_json()
    assert set(client.get("/userinfo", headers=bearer(body["access_token"])).get_json()) == \
        {"sub", "email", "email_verified"}


def test_new_claims_ask_only_for_those_and_prompt_consent_asks_all(client, register, citizen):
    agency = register()
    tokens_for(client, agency, scope="openid email")
    assert client.get(authorize_url(agency, Flow(), scope="openid email")).status_code == 302
    page = client.get(authorize_url(agency, Flow(), scope="openid profile email"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    already = html[html.index('id="already"'):html.index("<form")]
    assert 'data-claim="email"' in already
    assert 'value="email"' not in html and 'value="given_name"' in html

    forced = client.get(authorize_url(agency, Flow(), scope="openid email", prompt="consent"))
    assert forced.status_code == 200 and 'value="email"' in forced.get_data(as_text=True)
    assert 'id="already"' not in forced.get_data(as_text=True)


def test_a_declined_optional_claim_is_not_asked_again_unless_it_becomes_essential(client, register, citizen):
    agency = register()
    flow = Flow()
    response = decide(client, client.get(authorize_url(agency, flow, scope="openid email")), ticked=[])
    assert redirect_params(response, agency)["code"]
    assert client.get(authorize_url(agency, Flow(), scope="openid email")).status_code == 302
    essential = '{"userinfo": {"email": {"essential": true}}}'
    assert client.get(authorize_url(agency, Flow(), scope="openid email", claims=essential)).status_code == 200


def test_prompt_none_without_sufficient_consent_is_consent_required(client, register, citizen):
    agency = register()
    tokens_for(client, agency, scope="openid email")
    result = redirect_params(client.get(authorize_url(agency, Flow(), scope="openid profile", prompt="none")),
                             agency)
    assert result["error"] == "consent_required"
    ok = redirect_params(client.get(authorize_url(agency, Flow(), scope="openid email", prompt="none")), agency)
    assert "code" in ok


def test_expired_consent_asks_again(client, register, citizen):
    from idp.consent.models import Consent
    from infra.db import get_db

    agency = register()
    tokens_for(client, agency)
    with get_db(client.application).transaction() as session:
        session.execute(sa.update(Consent).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get(authorize_url(agency, Flow())).status_code == 200


def test_offline_access_is_an_optional_permission(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    flow = Flow()
    page = client.get(authorize_url(agency, flow, scope="openid profile offline_access"))
    assert 'value="offline_access"' in page.get_data(as_text=True)
    refused = decide(client, page, ticked=["given_name"])
    body = exchange(client, agency, redirect_params(refused, agency)["code"], flow).get_json()
    assert "refresh_token" not in body
    allowed = tokens_for(client, agency, scope="openid profile offline_access", prompt="consent")
    assert allowed["refresh_token"]


def test_every_release_is_logged_by_claim_name_never_value(client, register, citizen):
    agency = register(purpose="Trámites de residencia")
    claims = '{"id_token": {"given_name": null}}'
    body = tokens_for(client, agency, scope="openid email", claims=claims)
    client.get("/userinfo", headers=bearer(body["access_token"]))
    entries = log_of(client.application, citizen.citizen_id)
    assert [e.event for e in entries] == ["consent.given", "release.id_token", "release.userinfo"]
    given, id_token, userinfo = entries
    assert given.claims == ["email", "email_verified", "given_name", "sub"]
    assert id_token.claims == ["given_name", "sub"] and userinfo.claims == ["email", "email_verified", "sub"]
    for entry in entries:
        assert entry.client_id == agency.client_id and entry.purpose == "Trámites de residencia"
        assert entry.legal_basis == "consent" and entry.law is None
        flat = repr(entry.body().to_json())
        assert "Ana" not in flat and "ana@example.sv" not in flat and citizen.national_id not in flat


def test_agency_with_a_legal_basis_in_law(client, register, citizen, monkeypatch):
    from idp.consent import get_consents

    agency = register()
    policy = get_consents(client.application).policy
    monkeypatch.setitem(policy.legal_bases, agency.client_id, "Ley de Residencia, art. 4")
    page = client.get(authorize_url(agency, Flow()))
    assert "Ley de Residencia, art. 4" in page.get_data(as_text=True)
    decide(client, page)
    assert {e.legal_basis for e in log_of(client.application, citizen.citizen_id)} == {"law"}
    assert {e.law for e in log_of(client.application, citizen.citizen_id)} == {"Ley de Residencia, art. 4"}
