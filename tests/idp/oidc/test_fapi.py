"""The FAPI 2.0 Security Profile for the clients that follow it (idp.oidc.fapi): a whole flow
with PAR, DPoP and private_key_jwt, and each rule refused with its exact error."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from idp.oidc import fapi
from tests.idp.oidc.conftest import Agency, Flow, claims_of, decide, redirect_params
from tests.idp.oidc.test_dpop import USERINFO, post_token
from tests.idp.oidc.test_par import pushed_params
from tests.support.dpop import DpopKey

PAR = "http://localhost/par"


@pytest.fixture
def fapi_agency(register) -> Agency:
    agency = register(token_endpoint_auth_method="private_key_jwt", scope="openid profile national_id",
                      redirect_uris=["https://hacienda.example.gov/cb"])
    assert agency.metadata["security_profile"] == "fapi2"
    return agency


def push(client, agency: Agency, flow: Flow, key: DpopKey | None, **params):
    form, headers = agency.auth(pushed_params(agency, flow, **params))
    if key is not None:
        headers["DPoP"] = key.proof("POST", PAR)
    response = client.post("/par", data=form, headers=headers)
    if key is not None and response.status_code == 400 and response.get_json()["error"] == "use_dpop_nonce":
        key.remember(response)
        return push(client, agency, flow, key, **params)
    return response


def code_for(client, agency: Agency, key: DpopKey | None, flow: Flow, **params) -> str:
    params.setdefault("scope", "openid profile")
    pushed = push(client, agency, flow, key, **params)
    assert pushed.status_code == 201, pushed.get_json()
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id,
                                                 "request_uri": pushed.get_json()["request_uri"]}))
    result = redirect_params(decide(client, page), agency)
    assert result["iss"] == "http://localhost" and result["state"] == flow.state
    return result["code"]


def code_form(agency: Agency, code: str, flow: Flow) -> dict[str, str]:
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}


def test_a_fapi_client_signs_in_with_par_dpop_and_private_key_jwt(client, fapi_agency, citizen):
    key, flow = DpopKey(), Flow()
    code = code_for(client, fapi_agency, key, flow, scope="openid national_id")
    response = post_token(client, fapi_agency, code_form(fapi_agency, code, flow), key)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "DPoP" and claims_of(body["access_token"])["cnf"]["jkt"] == key.jkt
    key.remember(response)
    info = client.get("/userinfo", headers={"Authorization": f"DPoP {body['access_token']}",
                                            "DPoP": key.proof("GET", USERINFO, access_token=body["access_token"])})
    assert info.status_code == 200 and info.get_json()["national_id"] == citizen.national_id


def test_a_fapi_client_s_refresh_token_is_not_rotated_so_a_lost_answer_can_be_retried(client, register, citizen):
    """FAPI 2.0 Security Profile 5.3.2.1 item 10: no refresh token rotation unless retrying with
    the previous refresh token succeeds when the answer with a new one never reached the client."""
    agency = register(token_endpoint_auth_method="private_key_jwt", scope="openid profile national_id offline_access",
                      redirect_uris=["https://hacienda.example.gov/cb"],
                      grant_types=["authorization_code", "refresh_token"])
    assert agency.metadata["security_profile"] == "fapi2"
    key, flow = DpopKey(), Flow()
    code = code_for(client, agency, key, flow, scope="openid profile offline_access")
    issued = post_token(client, agency, code_form(agency, code, flow), key)
    assert issued.status_code == 200, issued.get_json()
    refresh_token = issued.get_json()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    first = post_token(client, agency, form, key)  # its answer is lost on the way back
    assert first.status_code == 200, first.get_json()
    retried = post_token(client, agency, form, key)
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["refresh_token"] == refresh_token
    assert retried.get_json()["token_type"] == "DPoP"


def test_unpushed_requests_are_refused(client, fapi_agency, citizen):
    flow = Flow()
    response = client.get("/authorize?" + urlencode(pushed_params(fapi_agency, flow)))
    result = redirect_params(response, fapi_agency)
    assert result["error"] == "invalid_request" and "RFC 9126" in result["error_description"]


def test_par_needs_redirect_uri(client, fapi_agency):
    response = push(client, fapi_agency, Flow(), DpopKey(), redirect_uri=None, scope="openid profile")
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert "redirect_uri" in response.get_json()["error_description"]


def test_tokens_without_dpop_are_refused(client, fapi_agency, citizen):
    flow = Flow()
    code = code_for(client, fapi_agency, None, flow)  # pushed without a proof: the code is not bound
    response = post_token(client, fapi_agency, code_form(fapi_agency, code, flow), None)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_dpop_proof"


def test_dpop_proofs_of_other_algorithms_are_refused(client, fapi_agency, citizen):
    from joserfc.jwk import ECKey

    key, flow = DpopKey(), Flow()
    code = code_for(client, fapi_agency, key, flow)
    p384 = DpopKey(key=ECKey.generate_key("P-384"), nonce=key.nonce)
    form, headers = fapi_agency.auth(code_form(fapi_agency, code, flow))
    headers["DPoP"] = p384.proof("POST", "http://localhost/token", alg="ES384")
    response = client.post("/token", data=form, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_dpop_proof"
    assert "ES256 or PS256" in response.get_json()["error_description"]


def test_the_code_lives_at_most_60_seconds(client, fapi_agency, citizen, monkeypatch):
    from dataclasses import replace

    from idp.oidc import PROVIDER, codes, provider
    from tests.support.components import replace_component

    before = provider(client.application)
    replace_component(monkeypatch, client.application, PROVIDER,
                      replace(before, settings=replace(before.settings, code_seconds=300)))
    lifetimes: list[int] = []
    issue = codes.issue
    monkeypatch.setattr(codes, "issue", lambda store, grant, *, ttl: lifetimes.append(ttl) or issue(
        store, grant, ttl=ttl))
    code_for(client, fapi_agency, DpopKey(), Flow())
    assert lifetimes == [60]
    assert fapi.code_seconds(fapi=False, configured=300) == 300


def _switch_to_fapi(app, agency: Agency, **columns) -> None:
    """An operator moves an existing client to the profile (its metadata as stored)."""
    import sqlalchemy as sa

    from clients.registry.models import Client
    from infra.db import get_db

    with get_db(app).transaction() as session:
        row = session.execute(sa.select(Client).where(Client.client_id == agency.client_id)).scalar_one()
        row.client_metadata = {**row.client_metadata, "security_profile": "fapi2"}
        for name, value in columns.items():
            setattr(row, name, value)
    from idp.oidc import provider

    provider(app).clients.forget(agency.client_id)


def test_client_secrets_are_refused_for_fapi_clients(client, register, citizen):
    agency = register(security_profile="oidc")
    _switch_to_fapi(client.application, agency)
    form, headers = agency.auth({"grant_type": "client_credentials"})
    response = client.post("/token", data=form, headers=headers)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    assert "private_key_jwt" in response.get_json()["error_description"]


def test_assertions_for_an_endpoint_are_refused_even_on_the_legacy_rule(client, register):
    agency = register(token_endpoint_auth_method="private_key_jwt", security_profile="oidc")
    _switch_to_fapi(client.application, agency, assertion_audience="legacy")
    form = {"grant_type": "authorization_code", "code": "x", "redirect_uri": agency.redirect_uri,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": agency.assertion(aud="http://localhost/token")}
    response = client.post("/token", data=form)
    assert response.status_code == 401 and "aud must be the issuer" in response.get_json()["error_description"]


HIGH = "http://eidas.europa.eu/LoA/high"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
ESSENTIAL_HIGH = '{"id_token": {"acr": {"essential": true, "values": ["' + HIGH + '"]}}}'


@pytest.mark.parametrize("asked", [{"acr_values": HIGH}, {"claims": ESSENTIAL_HIGH},
                                   {"claims": '{"id_token": {"acr": {"value": "' + HIGH + '"}}}'}])
def test_level_high_is_refused_to_clients_off_the_profile(client, register, citizen, asked):
    from tests.idp.oidc.conftest import authorize_url

    ordinary = register()
    assert "security_profile" not in ordinary.metadata and fapi.max_level_of(ordinary.metadata) == "substantial"
    result = redirect_params(client.get(authorize_url(ordinary, Flow(), **asked)), ordinary)
    assert result["error"] == "invalid_request"
    assert result["error_description"].startswith("this client may ask for level substantial at most, not high")
    assert "security_profile fapi2" in result["error_description"]
    # Pushed, the same request is refused at /par, in JSON.
    pushed = push(client, ordinary, Flow(), None, **asked)
    assert pushed.status_code == 400 and pushed.get_json()["error"] == "invalid_request"
    assert "FAPI 2.0" in pushed.get_json()["error_description"]


def test_a_request_whose_minimum_is_within_the_client_level_goes_on(client, register, citizen):
    from tests.idp.oidc.conftest import authorize_url

    ordinary = register()
    # "substantial or high": substantial is enough, which this client may ask for (the citizen,
    # proofed low, cannot reach it: the usual step-up answer, not a refusal of the request).
    result = redirect_params(client.get(authorize_url(ordinary, Flow(), acr_values=f"{HIGH} {SUBSTANTIAL}")),
                             ordinary)
    assert result["error"] == "unmet_authentication_requirements"
    unknown = client.get(authorize_url(ordinary, Flow(), acr_values="urn:example:unknown"))
    assert "error=invalid_request" not in unknown.headers.get("Location", "")


def test_a_fapi_client_may_ask_for_level_high(client, fapi_agency, citizen):
    assert fapi.max_level_of(fapi_agency.metadata) == "high"
    for asked in ({"acr_values": HIGH}, {"claims": ESSENTIAL_HIGH}):
        pushed = push(client, fapi_agency, Flow(), DpopKey(), scope="openid profile", **asked)
        assert pushed.status_code == 201, pushed.get_json()


def test_asking_for_level_high_at_registration_brings_the_profile(register):
    from clients.registry import ClientMetadataError

    portal = register(operator=False, max_assurance_level="high", token_endpoint_auth_method="private_key_jwt",
                      redirect_uris=["https://tramites.example.gov/cb"])
    assert portal.metadata["security_profile"] == "fapi2" and portal.metadata["max_assurance_level"] == "high"
    assert portal.metadata["require_pushed_authorization_requests"] is True
    with pytest.raises(ClientMetadataError) as secret:
        register(operator=False, max_assurance_level="high")  # client_secret_basic, off the profile
    assert secret.value.field == "token_endpoint_auth_method"
    with pytest.raises(ClientMetadataError) as opted_out:
        register(operator=False, max_assurance_level="high", security_profile="oidc")
    assert opted_out.value.field == "security_profile" and "level high" in opted_out.value.description
    with pytest.raises(ClientMetadataError) as unknown:
        register(max_assurance_level="extreme")
    assert unknown.value.field == "max_assurance_level"


def test_an_operator_exception_may_ask_for_high_and_a_low_client_only_for_low(client, register, citizen):
    from tests.idp.oidc.conftest import authorize_url

    exception = register(max_assurance_level="high", security_profile="oidc")  # an operator's choice
    result = redirect_params(client.get(authorize_url(exception, Flow(), acr_values=HIGH)), exception)
    assert result["error"] == "unmet_authentication_requirements"  # asked for, not reached
    low = register(operator=False, max_assurance_level="low")
    result = redirect_params(client.get(authorize_url(low, Flow(), acr_values=SUBSTANTIAL)), low)
    assert result["error"] == "invalid_request" and "at most, not substantial" in result["error_description"]


def test_requested_level_is_the_one_the_provider_would_enforce():
    uris = {"low": "L", "substantial": "S", "high": "H"}
    assert fapi.requested_level(acr_values=[], claim_acr=[], acr_uris=uris) is None
    assert fapi.requested_level(acr_values=["H", "S"], claim_acr=[], acr_uris=uris) == "substantial"
    assert fapi.requested_level(acr_values=["S"], claim_acr=["H"], acr_uris=uris) == "high"
    assert fapi.requested_level(acr_values=["urn:x"], claim_acr=["urn:y"], acr_uris=uris) is None


DEMO_REDIRECT = "http://localhost:8001/callback"


def _demo_portal(app) -> Agency:
    """A FAPI 2.0 client on http://localhost, as `cedula demo` registers the civil registry."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    from clients.registry.services import upsert_operator_client
    from infra.db import get_db

    key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    public = {**key.as_dict(private=False), "kid": "agency-key"}
    metadata = {"client_name": "Registro Civil", "redirect_uris": [DEMO_REDIRECT], "scope": "openid profile",
                "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [public]},
                "security_profile": "fapi2"}
    with get_db(app).transaction() as session:
        client = upsert_operator_client(session, client_id="registro-demo", metadata=metadata,
                                        fetch_sector=lambda uri: [DEMO_REDIRECT], loopback_redirects=True)
        validated = dict(client.client_metadata)
    return Agency("registro-demo", None, DEMO_REDIRECT, key, validated)


def test_loopback_redirects_need_the_demo_setting_at_authorization(client, oidc_app, citizen, monkeypatch):
    from dataclasses import replace

    from idp.oidc import PROVIDER, provider
    from tests.support.components import replace_component

    portal = _demo_portal(oidc_app)
    assert portal.metadata["security_profile"] == "fapi2"
    refused = push(client, portal, Flow(), DpopKey())
    assert refused.status_code == 400 and refused.get_json()["error_description"] == \
        "FAPI 2.0: the redirect URI must use https"

    before = provider(oidc_app)
    replace_component(monkeypatch, oidc_app, PROVIDER, replace(
        before, settings=replace(before.settings, fapi_loopback_redirects=True)))
    key, flow = DpopKey(), Flow()
    code = code_for(client, portal, key, flow)
    tokens = post_token(client, portal, code_form(portal, code, flow), key)
    assert tokens.status_code == 200 and tokens.get_json()["token_type"] == "DPoP"


def test_loopback_redirects_are_registered_only_with_the_demo_permission():
    from clients.registry import ClientMetadataError, Permissions
    from clients.registry.metadata import validate_metadata

    metadata = {"redirect_uris": [DEMO_REDIRECT], "token_endpoint_auth_method": "private_key_jwt",
                "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]}, "security_profile": "fapi2"}
    with pytest.raises(ClientMetadataError) as strict:
        validate_metadata(metadata, Permissions(operator=True))
    assert strict.value.error == "invalid_redirect_uri"
    demo = Permissions(operator=True, loopback_redirects=True)
    assert validate_metadata(metadata, demo)["redirect_uris"] == [DEMO_REDIRECT]
    elsewhere = {**metadata, "redirect_uris": ["http://registro.example.gob/callback"]}
    with pytest.raises(ClientMetadataError):
        validate_metadata(elsewhere, demo)


@pytest.mark.parametrize(("issuer", "allowed"), [
    ("http://localhost:8000", True), ("http://127.0.0.1:8000", True), ("http://[::1]:8000", True),
    ("https://id.example.gob", False), ("http://localhost.example.gob", False),
])
def test_the_demo_setting_is_refused_off_loopback(oidc_app, issuer, allowed):
    from idp.oidc.settings import load
    from infra.config import ConfigError, get_settings

    section = {**get_settings(oidc_app)["oidc"], "fapi_loopback_redirects": True}
    if allowed:
        assert load({"oidc": section}, issuer).fapi_loopback_redirects is True
    else:
        with pytest.raises(ConfigError, match="embedded demo only"):
            load({"oidc": section}, issuer)
    assert load({"oidc": {**section, "fapi_loopback_redirects": False}}, issuer).fapi_loopback_redirects is False
