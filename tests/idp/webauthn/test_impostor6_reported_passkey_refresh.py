"""A passkey whose model the FIDO metadata reports compromised after its registration signs in
at level low only (`idp.assurance.services.assess`). A grant made at level high with it before
the report must not go on being refreshed at high: a refresh re-judges the level from what
holds now (`idp.assurance.lowered_grants.refused_refresh`) and refuses, revoking the grant, with
a sentence saying why.

Before: the agency's refresh token went on minting ID tokens at level high (and UserInfo
answering for them) until the citizen came back, although the passkey now signs in at low."""
# ruff: noqa: F811 - fixtures imported from the assurance and OIDC tests are parameters here

from __future__ import annotations

from tests.idp.assurance.conftest import (  # noqa: F401 - fixtures
    enrol_at_level_high,
    metadata,
    pki,
)
from tests.idp.assurance.test_reported_model_adds_passkey import _report_model
from tests.idp.conftest import dui
from tests.idp.oidc.conftest import (  # noqa: F401 - fixtures
    bearer,
    claims_of,
    oidc_app,
    register,
    token_request,
    tokens_for,
)
from tests.idp.webauthn.test_impostor5_reported_passkey_grants import AGENCY, HIGH, SCOPE

REPORTED = ("the passkey this grant was signed in with is of a model the FIDO metadata has since reported "
            "compromised, which signs in at level low only; sign the citizen in again (start a new "
            "authorization request)")


def _refresh(client, agency, body):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})


def test_a_refresh_after_the_model_is_reported_mints_nothing_at_high(client, fresh_app, pki, metadata, register):
    enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    agency = register(**AGENCY)
    body = tokens_for(client, agency, scope=SCOPE, acr_values=HIGH)
    assert claims_of(body["id_token"])["acr"] == HIGH
    refreshed = _refresh(client, agency, body)  # before the report: refreshed at high
    assert refreshed.status_code == 200, refreshed.get_json()
    assert claims_of(refreshed.get_json()["id_token"])["acr"] == HIGH

    _report_model(metadata, pki)  # nobody signs in, nothing reads the level

    refused = _refresh(client, agency, refreshed.get_json())
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REPORTED}
    # The grant ended with it: its access token is refused too.
    assert client.get("/userinfo", headers=bearer(refreshed.get_json()["access_token"])).status_code == 401


def test_introspection_calls_the_refresh_token_inactive_once_a_refresh_would_be_refused(client, fresh_app, pki,
                                                                                      metadata, register):
    """oidcatk11 follow-up: /introspect answers for a refresh token what /token would do with it; once
    the passkey's model is reported, /token refuses the refresh (REPORTED), so the token is not active.

    Before: introspection re-checked the citizen's standing but not the level the grant asserts,
    and called the token active although /token would refuse it."""
    enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892614))
    agency = register(**AGENCY)
    body = tokens_for(client, agency, scope=SCOPE, acr_values=HIGH)

    def introspect() -> dict:
        form, headers = agency.auth({"token": body["refresh_token"], "token_type_hint": "refresh_token"})
        return client.post("/introspect", data=form, headers=headers).get_json()

    assert introspect()["active"] is True
    _report_model(metadata, pki)
    assert introspect() == {"active": False}
    # /token refuses it for that reason, and the answers agree.
    assert _refresh(client, agency, body).get_json()["error_description"] == REPORTED
    assert introspect() == {"active": False}
