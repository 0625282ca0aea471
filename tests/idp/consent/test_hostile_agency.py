"""An agency (a registered client) trying to get more of a citizen's data than the citizen
agreed to, and releases missing from the data-sharing log."""

from __future__ import annotations

import re
from dataclasses import replace

from idp.oidc import PROVIDER, provider
from tests.idp.consent.conftest import log_of
from tests.idp.oidc.conftest import bearer, claims_of, declare_purpose, token_request, tokens_for
from tests.support.components import replace_component

CITIZEN_CLAIMS = {"given_name", "family_name", "birthdate", "email", "email_verified", "national_id"}


def _released(entry) -> set[str]:
    return set(entry.claims)


def test_the_id_token_holds_exactly_the_claims_its_log_entry_names(client, register, citizen):
    agency = register(scope="openid profile email national_id offline_access", security_profile="oidc")
    asked = ('{"id_token": {"given_name": {"essential": true}, "family_name": null, "birthdate": null,'
             ' "email": null, "email_verified": null, "national_id": null}}')
    body = tokens_for(client, agency, scope="openid profile email national_id offline_access", claims=asked)
    released = {"sub"} | (set(claims_of(body["id_token"])) & CITIZEN_CLAIMS)
    entries = [e for e in log_of(client.application, citizen.citizen_id) if e.event == "release.id_token"]
    assert _released(entries[-1]) == released
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    again = {"sub"} | (set(claims_of(refreshed.get_json()["id_token"])) & CITIZEN_CLAIMS)
    entries = [e for e in log_of(client.application, citizen.citizen_id) if e.event == "release.id_token"]
    assert _released(entries[-1]) == again == released


def test_national_id_in_the_id_token_needs_the_configured_sign_in_level(client, register, citizen, monkeypatch):
    """UserInfo refuses national_id below `national_id_level`; the ID token must not carry it then."""
    agency = register(scope="openid national_id", security_profile="oidc")
    before = provider(client.application)
    replace_component(monkeypatch, client.application, PROVIDER,
                      replace(before, settings=replace(before.settings, national_id_level="substantial")))
    body = tokens_for(client, agency, scope="openid national_id",
                      claims='{"id_token": {"national_id": {"essential": true}}}')
    assert "national_id" not in claims_of(body["id_token"])
    entries = [e for e in log_of(client.application, citizen.citizen_id) if e.event == "release.id_token"]
    assert "national_id" not in entries[-1].claims


def test_a_refresh_cannot_widen_the_scope(client, register, citizen):
    agency = register(scope="openid profile email offline_access")
    body = tokens_for(client, agency, scope="openid profile offline_access")
    wider = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                                           "scope": "openid profile email offline_access"})
    assert wider.status_code == 400 and wider.get_json()["error"] == "invalid_scope"


def test_a_refresh_token_dies_with_the_account(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    body = tokens_for(client, agency, scope="openid profile offline_access")
    html = client.get("/account/close").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/account/close", data={"csrf_token": token, "confirm": "close"}).status_code == 200
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401


def test_claims_userinfo_cannot_reach_a_claim_the_scope_and_consent_left_out(client, register, citizen):
    agency = register(scope="openid profile email national_id", security_profile="oidc")
    body = tokens_for(client, agency, scope="openid profile",
                      claims='{"userinfo": {"national_id": {"essential": true}}}')
    answer = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert "national_id" not in answer and "email" not in answer
    entries = [e for e in log_of(client.application, citizen.citizen_id) if e.event == "release.userinfo"]
    assert set(entries[-1].claims) == set(answer)


def test_a_consent_given_for_one_purpose_releases_nothing_for_another(client, register, citizen):
    from tests.idp.oidc.conftest import Flow, authorize_url, get_code, redirect_params

    agency = register(scope="openid profile offline_access", purpose="Trámites de residencia")
    body = tokens_for(client, agency, scope="openid profile offline_access")
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    code, flow = get_code(client, agency, scope="openid profile offline_access")  # issued before the change
    declare_purpose(client.application, agency, "Publicidad dirigida")
    # Tokens issued under the old purpose release nothing more ...
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    from tests.idp.oidc.conftest import exchange

    assert exchange(client, agency, code, flow).get_json()["error"] == "invalid_grant"
    # ... and the citizen is asked again, for the new purpose.
    silent = client.get(authorize_url(agency, Flow(), scope="openid profile", prompt="none"))
    assert redirect_params(silent, agency)["error"] == "consent_required"
    page = client.get(authorize_url(agency, Flow(), scope="openid profile"))
    assert page.status_code == 200 and "Publicidad dirigida" in page.get_data(as_text=True)
    releases = [e for e in log_of(client.application, citizen.citizen_id) if e.event.startswith("release.")]
    assert {e.purpose for e in releases} == {"Trámites de residencia"}


def test_an_agency_token_reaches_no_citizen_data_and_introspection_discloses_no_claims(client, register, citizen):
    from tests.support.basic_auth import basic_auth

    agency = register(scope="openid profile email documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"])
    other = register(client_name="Otra agencia", scope="openid profile email")
    own = client.post("/token", data={"grant_type": "client_credentials"},
                      headers=basic_auth(agency.client_id, agency.secret)).get_json()["access_token"]
    assert client.get("/userinfo", headers=bearer(own)).status_code == 401
    body = tokens_for(client, agency, scope="openid profile email")
    seen = client.post("/introspect", data={"token": body["access_token"]},
                       headers=basic_auth(agency.client_id, agency.secret)).get_json()
    assert seen["active"] is True and not set(seen) & CITIZEN_CLAIMS
    # Another agency learns nothing of this agency's token, not even that it is active.
    assert client.post("/introspect", data={"token": body["access_token"]},
                       headers=basic_auth(other.client_id, other.secret)).get_json() == {"active": False}


def test_a_purpose_matches_any_language_the_agency_declares_it_in():
    from idp.oidc.standing import for_purpose

    declared = {"client_name": "Registro", "purpose": "Trámites", "purpose#en": "Paperwork"}
    assert for_purpose("Trámites", declared) and for_purpose("Paperwork", declared)
    assert not for_purpose("Publicidad", declared) and not for_purpose(None, declared)
    assert for_purpose(None, {"client_name": "Registro"}) and for_purpose(None, {"purpose": ""})
    assert not for_purpose("Trámites", {"client_name": "Registro"})


def test_a_decision_holds_only_in_force_and_for_a_declared_purpose():
    """`standing.refusal`, the one check of every release: none, expired, another purpose."""
    from datetime import UTC, datetime, timedelta
    from uuid import uuid4

    from idp.oidc.standing import NO_CONSENT, OTHER_PURPOSE, StandingConsent, refusal

    now = datetime(2026, 12, 6, tzinfo=UTC)
    declared = {"client_name": "Registro", "purpose": "Trámites", "purpose#en": "Paperwork"}

    def decision(purpose: str | None, expires_at: datetime | None = None) -> StandingConsent:
        return StandingConsent(id=uuid4(), claims=frozenset({"sub"}), purpose=purpose, legal_basis="consent",
                               law=None, last_used_at=None, expires_at=expires_at)

    assert refusal(None, now, declared) == NO_CONSENT
    assert refusal(decision("Trámites", now), now, declared) == NO_CONSENT  # expired at this very moment
    assert refusal(decision("Trámites", now - timedelta(seconds=1)), now, declared) == NO_CONSENT
    # An expired decision is refused as such, whatever its purpose.
    assert refusal(decision("Publicidad", now), now, declared) == NO_CONSENT
    assert refusal(decision("Trámites", now + timedelta(seconds=1)), now, declared) is None
    assert refusal(decision("Trámites"), now, declared) is None
    assert refusal(decision("Paperwork"), now, declared) is None
    assert refusal(decision("Publicidad"), now, declared) == OTHER_PURPOSE
    assert refusal(decision(None), now, declared) == OTHER_PURPOSE
    assert refusal(decision(None), now, {"client_name": "Registro"}) is None
