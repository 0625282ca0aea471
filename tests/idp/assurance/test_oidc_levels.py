"""The level in the ID token follows the proofing and authenticator facts; step-up (RFC 9470)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.idp.assurance.conftest import add_device_key, all_formats_listed, device_key, set_proofing
from tests.idp.conftest import enrol, post_json, sign_in
from tests.idp.oidc.conftest import (
    Flow,
    authorize_url,
    claims_of,
    decide,
    exchange,
    redirect_params,
    tokens_for,
)
from tests.support.authenticator import SoftwareAuthenticator

ACR = {"low": "http://eidas.europa.eu/LoA/low",
       "substantial": "http://eidas.europa.eu/LoA/substantial",
       "high": "http://eidas.europa.eu/LoA/high"}

# name -> (how to make the passkey, its authenticator level, possession amr)
AUTHENTICATORS = {
    "synced": (lambda pki: SoftwareAuthenticator(backup_eligible=True, backed_up=True),
               "substantial", "swk"),
    "device_bound_unattested": (lambda pki: SoftwareAuthenticator(), "substantial", "hwk"),
    "synced_attested": (lambda pki: device_key(pki, backup_eligible=True, backed_up=True),
                        "substantial", "swk"),
    "device_bound_unlisted_root": (lambda pki: device_key(pki, trusted_chain=False),
                                   "substantial", "hwk"),
    "device_bound_attested": (lambda pki: device_key(pki), "high", "hwk"),
}
RANK = ["low", "substantial", "high"]
# Level high is for FAPI 2.0 clients (idp.oidc.fapi.check_level); these tests use an operator's
# exception to the profile to keep the flow short (test_fapi covers the profile's own flow).
MAY_ASK_HIGH = {"max_assurance_level": "high", "security_profile": "oidc"}


@pytest.mark.parametrize("proofing", RANK)
@pytest.mark.parametrize("kind", list(AUTHENTICATORS))
def test_id_token_level_matches_the_facts(client, oidc_app, register, pki, metadata, proofing, kind):
    metadata(all_formats_listed(pki))
    make, authenticator, possession = AUTHENTICATORS[kind]
    citizen = enrol(client, make(pki))
    set_proofing(oidc_app, citizen.citizen_id, proofing)
    agency = register()
    id_token = claims_of(tokens_for(client, agency)["id_token"])
    expected = RANK[min(RANK.index(proofing), RANK.index(authenticator))]
    assert id_token["acr"] == ACR[expected]
    assert id_token["amr"] == [possession, "user", "mfa"]


def _two_passkeys(client, app, pki, metadata):
    """A citizen proofed high, signed in with a synced passkey, who also has a device-bound
    attested one."""
    metadata(all_formats_listed(pki))
    synced = SoftwareAuthenticator(backup_eligible=True, backed_up=True, counter_step=1)
    citizen = enrol(client, synced)
    device = add_device_key(client, pki)
    set_proofing(app, citizen.citizen_id, "high")
    assert sign_in(client, synced).status_code == 200
    return citizen, synced, device


def _step_up_location(response) -> tuple[str, str]:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert location.path == "/login" and query["reauth"] == ["1"], response.headers["Location"]
    return unquote(query["next"][0]), query["acr"][0]


def _finish(client, agency, flow, path):
    response = client.get(path)
    if response.status_code == 200:
        response = decide(client, response)
    result = redirect_params(response, agency)
    tokens = exchange(client, agency, result["code"], flow).get_json()
    return claims_of(tokens["id_token"])


def test_step_up_to_high_with_the_device_bound_passkey(client, oidc_app, register, pki, metadata):
    _, _, device = _two_passkeys(client, oidc_app, pki, metadata)
    agency = register(**MAY_ASK_HIGH)
    assert claims_of(tokens_for(client, agency)["id_token"])["acr"] == ACR["substantial"]
    flow = Flow()
    back, level = _step_up_location(client.get(authorize_url(agency, flow, acr_values=ACR["high"])))
    assert level == "high" and back.startswith("/authorize/continue?interaction=")
    # The login page asks for options with the level: only the qualifying passkey is offered.
    options = post_json(client, "/webauthn/authentication/options", {"acr": "high"}).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [device.credential_id_b64]
    assert sign_in(client, device).status_code == 200
    id_token = _finish(client, agency, flow, back)
    assert id_token["acr"] == ACR["high"] and id_token["amr"] == ["hwk", "user", "mfa"]


def test_essential_acr_claim_steps_up_too(client, oidc_app, register, pki, metadata):
    _, _, device = _two_passkeys(client, oidc_app, pki, metadata)
    agency = register(**MAY_ASK_HIGH)
    flow = Flow()
    claims = json.dumps({"id_token": {"acr": {"essential": True, "values": [ACR["high"]]}}})
    back, level = _step_up_location(client.get(authorize_url(agency, flow, claims=claims)))
    assert level == "high"
    assert sign_in(client, device).status_code == 200
    assert _finish(client, agency, flow, back)["acr"] == ACR["high"]


def test_a_step_up_that_does_not_reach_the_level_fails_without_a_loop(client, oidc_app, register,
                                                                      pki, metadata):
    _, synced, _ = _two_passkeys(client, oidc_app, pki, metadata)
    agency = register(**MAY_ASK_HIGH)
    flow = Flow()
    back, _ = _step_up_location(client.get(authorize_url(agency, flow, acr_values=ACR["high"])))
    assert sign_in(client, synced).status_code == 200  # the wrong passkey again
    result = redirect_params(client.get(back), agency)
    assert result["error"] == "unmet_authentication_requirements"
    assert result["state"] == flow.state


def test_no_qualifying_passkey_is_an_error_for_the_agency(client, oidc_app, register, pki, metadata):
    metadata(all_formats_listed(pki))
    citizen = enrol(client, SoftwareAuthenticator(backup_eligible=True))
    set_proofing(oidc_app, citizen.citizen_id, "high")
    agency = register(**MAY_ASK_HIGH)
    flow = Flow()
    result = redirect_params(client.get(authorize_url(agency, flow, acr_values=ACR["high"])), agency)
    assert result["error"] == "unmet_authentication_requirements"
    assert "no identity proofing and passkey that reach" in result["error_description"]


def test_low_proofing_cannot_step_up_whatever_the_passkey(client, oidc_app, register, pki, metadata):
    metadata(all_formats_listed(pki))
    enrol(client, device_key(pki))  # high authenticator, self-asserted identity
    agency = register()
    result = redirect_params(client.get(authorize_url(agency, Flow(), acr_values=ACR["substantial"])),
                             agency)
    assert result["error"] == "unmet_authentication_requirements"


def test_a_lower_or_unknown_request_is_met(client, oidc_app, register, pki, metadata):
    _two_passkeys(client, oidc_app, pki, metadata)
    agency = register()
    for values in (f"{ACR['high']} {ACR['substantial']}", "urn:unknown"):
        id_token = claims_of(tokens_for(client, agency, acr_values=values)["id_token"])
        assert id_token["acr"] == ACR["substantial"]


def test_prompt_none_cannot_step_up(client, oidc_app, register, pki, metadata):
    _two_passkeys(client, oidc_app, pki, metadata)
    agency = register(**MAY_ASK_HIGH)
    tokens_for(client, agency)  # the citizen's consent stands: without it, consent_required comes
    # first whatever the level (no oracle of the visitor's proofing for an agency without consent)
    result = redirect_params(client.get(authorize_url(agency, Flow(), acr_values=ACR["high"],
                                                      prompt="none")), agency)
    assert result["error"] == "login_required"


def test_max_age_zero_forces_a_new_sign_in(client, oidc_app, register, pki, metadata):
    citizen, synced, _ = _two_passkeys(client, oidc_app, pki, metadata)
    agency = register()
    first = claims_of(tokens_for(client, agency)["id_token"])
    flow = Flow()
    response = client.get(authorize_url(agency, flow, max_age="0"))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["reauth"] == ["1"]
    import time

    time.sleep(1.1)  # auth_time has a one-second resolution
    assert sign_in(client, synced).status_code == 200
    second = _finish(client, agency, flow, unquote(parse_qs(location.query)["next"][0]))
    assert second["auth_time"] > first["auth_time"] and second["sub"] == first["sub"]
    assert citizen.citizen_id


def test_a_model_reported_compromised_after_sign_in_no_longer_meets_high_at_authorize(
        client, oidc_app, register, pki, metadata):
    """Before: /authorize kept the session's level (high) under a cache generation that only
    the watched tables advance, so after new metadata reported the passkey's model compromised
    an agency asking high still got a code at high. Now the metadata loaded is part of what
    the kept level stands on: the sign-in is at level low at once, and high is out of reach."""
    from idp.oidc import provider
    from tests.idp.assurance.conftest import enrol_at_level_high
    from tests.support.attestation import AAGUIDS
    from tests.support.national_ids import dui

    enrol_at_level_high(client, oidc_app, pki, metadata, dui(4892613))
    agency = register(**MAY_ASK_HIGH)
    assert claims_of(tokens_for(client, agency, acr_values=ACR["high"])["id_token"])["acr"] == ACR["high"]
    before = provider(oidc_app).invalidation.generation()
    # Answered at once (consent given above), keeping this sign-in's level under `before`.
    assert "code" in redirect_params(client.get(authorize_url(agency, Flow(), acr_values=ACR["high"])), agency)
    assert provider(oidc_app).sign_in_levels._entries
    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], statuses=["FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS"])])
    assert provider(oidc_app).invalidation.generation() == before  # no table changed
    flow = Flow()
    result = redirect_params(client.get(authorize_url(agency, flow, acr_values=ACR["high"])), agency)
    assert "code" not in result
    assert result["error"] == "unmet_authentication_requirements"
    assert result["state"] == flow.state
    # What it still gives, level low, is what an agency asking no level gets.
    assert claims_of(tokens_for(client, agency)["id_token"])["acr"] == ACR["low"]


def test_step_up_options_without_a_qualifying_passkey_are_refused_not_any_passkey(client, oidc_app, pki,
                                                                                 metadata):
    """Step-up options name only the signed-in citizen's passkeys that reach the level; when none
    does (a passkey marked suspect or reported since the step-up was offered), the answer was 200
    with an empty allowCredentials, which a browser reads as "any passkey here": now 403 with what
    to do, and no challenge issued."""
    metadata(all_formats_listed(pki))
    citizen = enrol(client, SoftwareAuthenticator(backup_eligible=True))  # substantial at most
    set_proofing(oidc_app, citizen.citizen_id, "high")
    refused = post_json(client, "/webauthn/authentication/options", {"acr": "high"},
                        headers={"Accept-Language": "en"})
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["error"] == "no_qualifying_passkey"
    assert "allowCredentials" not in refused.get_json() and refused.get_json()["error_description"]
    reachable = post_json(client, "/webauthn/authentication/options", {"acr": "substantial"})
    assert reachable.status_code == 200 and len(reachable.get_json()["allowCredentials"]) == 1
