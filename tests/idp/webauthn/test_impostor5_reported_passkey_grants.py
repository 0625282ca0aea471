"""A passkey whose model the FIDO metadata reports compromised signs in at level low only, and a
passkey added in a session checked with it takes the account's identity proofing back to low
(`idp.webauthn.views`): whoever holds it (a thief who bypasses its user verification) gets
nothing more than level low. The grants agencies hold above low must end with that proofing,
as they do when a recovery code lowers it (tests/security/test_sec7_recovery_lowers_grants.py):
no refresh token goes on asserting a level of assurance (acr, national_id released at it) that
the account no longer has.

Before: the agency's refresh token went on minting ID tokens at level high for an account whose
proofing had gone back to low, while the thief's own passkey was on it."""
# ruff: noqa: F811 - fixtures imported from the assurance and OIDC tests are parameters here

from __future__ import annotations

from tests.idp.assurance.conftest import (  # noqa: F401 - fixtures
    enrol_at_level_high,
    metadata,
    pki,
    proofing,
)
from tests.idp.assurance.test_reported_model_adds_passkey import _add, _report_model
from tests.idp.conftest import dui, sign_in
from tests.idp.oidc.conftest import (  # noqa: F401 - fixtures
    bearer,
    claims_of,
    exchange,
    get_code,
    oidc_app,
    register,
    token_request,
    tokens_for,
)
from tests.support.authenticator import SoftwareAuthenticator

HIGH = "http://eidas.europa.eu/LoA/high"
SCOPE = "openid profile offline_access"
# Level high is for FAPI 2.0 clients (idp.oidc.fapi.check_level); an operator's exception here.
AGENCY = {"grant_types": ["authorization_code", "refresh_token"], "scope": SCOPE,
          "max_assurance_level": "high", "security_profile": "oidc"}


LOWERED = ("the account's identity proofing was lowered while this code was exchanged: a passkey was added "
           "in a session checked with a passkey whose model the FIDO metadata reports compromised; sign the "
           "citizen in again (start a new authorization request)")


def _refresh(client, agency, body):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})


def _thief_adds_a_passkey(app, person) -> None:
    thief = app.test_client()
    assert sign_in(thief, person.key).status_code == 200  # the model's user verification is bypassed
    added = _add(thief, SoftwareAuthenticator(backup_eligible=True, backed_up=True))
    assert added.status_code == 200, added.get_json()
    assert proofing(app, person.citizen_id)[0] == "low"


def test_a_passkey_added_with_a_reported_model_ends_the_grants_above_low(client, fresh_app, pki, metadata,
                                                                        register):
    person = enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    agency = register(**AGENCY)
    body = tokens_for(client, agency, scope=SCOPE, acr_values=HIGH)
    assert claims_of(body["id_token"])["acr"] == HIGH
    _report_model(metadata, pki)

    _thief_adds_a_passkey(fresh_app, person)

    refused = _refresh(client, agency, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401


def test_a_code_issued_at_high_before_the_passkey_was_added_is_refused(client, fresh_app, pki, metadata,
                                                                       register):
    person = enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    agency = register(**AGENCY)
    code, flow = get_code(client, agency, scope=SCOPE, acr_values=HIGH)
    _report_model(metadata, pki)

    _thief_adds_a_passkey(fresh_app, person)

    refused = exchange(client, agency, code, flow)
    assert refused.status_code == 400, refused.get_json()
    # Refused for the lowered proofing, not as if the citizen had withdrawn the agency's access;
    # since impostor7 the exchange sees first that the code's own passkey's model is reported.
    assert refused.get_json() in ({"error": "invalid_grant", "error_description": LOWERED},
                                  {"error": "invalid_grant", "error_description": REPORTED_MODEL})


# The refusal of a code whose own passkey's model was reported since it was issued (impostor7).
REPORTED_MODEL = ("the passkey this grant was signed in with is of a model the FIDO metadata has since reported "
                  "compromised, which signs in at level low only; sign the citizen in again (start a new "
                  "authorization request)")
