"""The authorization code flow end to end, at HTTP level, as an agency portal drives it."""

from __future__ import annotations

import re
import time

from idp.oidc.interaction_policy import NOT_SIGNED_IN
from keys import verify_jwt
from tests.idp.conftest import csrf, sign_in
from tests.idp.oidc.conftest import (
    Flow,
    authorize_url,
    bearer,
    claims_of,
    decide,
    exchange,
    header_of,
    redirect_params,
    tokens_for,
)


def test_discovery_advertises_exactly_what_is_supported(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["issuer"] == "http://localhost"
    assert meta["authorization_endpoint"] == "http://localhost/authorize"
    assert meta["jwks_uri"] == "http://localhost/jwks.json"
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["subject_types_supported"] == ["pairwise", "public"]
    assert meta["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "private_key_jwt", "client_secret_basic", "client_secret_post", "none"}
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["claims_parameter_supported"] is True
    assert meta["request_parameter_supported"] is True
    assert "national_id" in meta["claims_supported"]
    assert meta["acr_values_supported"][0] == "http://eidas.europa.eu/LoA/low"
    assert client.get("/jwks.json").status_code == 200


def test_discovery_names_the_developer_guide(client):
    """Discovery 1.0 section 3 / RFC 8414 section 2: service_documentation, the guide agencies read."""
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["service_documentation"] == "http://localhost/developers"
    assert client.get("/developers").status_code == 200


def test_code_flow_with_decision_page_tokens_and_userinfo(client, register, citizen):
    agency = register(purpose="Emitir tu partida de nacimiento")
    flow = Flow()
    page = client.get(authorize_url(agency, flow))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Registro Civil" in html and "Emitir tu partida de nacimiento" in html
    assert 'data-claim="given_name"' in html and 'data-claim="email"' in html
    assert 'data-claim="national_id"' not in html
    assert "style=" not in html and "onclick" not in html

    answer = decide(client, page)
    assert answer.status_code == 303
    assert "form-action 'self' https://portal.example.gov" in answer.headers["Content-Security-Policy"]
    result = redirect_params(answer, agency)
    assert result["state"] == flow.state and result["iss"] == "http://localhost"

    response = exchange(client, agency, result["code"], flow)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "openid profile email" and "refresh_token" not in body

    with client.application.app_context():
        id_token = verify_jwt(body["id_token"], algorithms=["ES256"], audience=agency.client_id,
                              issuer="http://localhost", typ="JWT").claims
        access = verify_jwt(body["access_token"], algorithms=["ES256"], audience="http://localhost",
                            typ="at+jwt").claims
    assert id_token["nonce"] == flow.nonce and id_token["sid"] and id_token["auth_time"] <= id_token["iat"]
    assert id_token["acr"] == "http://eidas.europa.eu/LoA/low"
    assert id_token["amr"] == ["hwk", "user", "mfa"]  # RFC 8176 (idp.assurance.amr)
    from idp.oidc.tokens import at_hash

    assert id_token["at_hash"] == at_hash(body["access_token"], "ES256")
    assert "given_name" not in id_token  # scope claims go to UserInfo (OIDC Core 5.4)
    assert access["sub"] == id_token["sub"] and access["client_id"] == agency.client_id
    assert access["exp"] - access["iat"] == 300 and access["scope"] == "openid profile email"
    assert header_of(body["access_token"])["typ"] == "at+jwt"

    info = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert info == {"sub": id_token["sub"], "given_name": "Ana María", "family_name": "López Pérez",
                    "birthdate": "1990-05-17", "email": "ana@example.sv", "email_verified": False}
    posted = client.post("/userinfo", data={"access_token": body["access_token"]})
    assert posted.status_code == 200 and posted.get_json()["sub"] == id_token["sub"]

    # The same agency asking again for no more data: no page, straight back with a code.
    again = client.get(authorize_url(agency, Flow()))
    assert again.status_code == 302 and "code=" in again.headers["Location"]


def test_not_signed_in_goes_to_sign_in_and_back(client, register, citizen):
    agency = register()
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    flow = Flow()
    response = client.get(authorize_url(agency, flow))
    assert response.status_code == 302
    location = response.headers["Location"]
    match = re.fullmatch(r"/login\?next=(/authorize/continue%3Finteraction%3D[\w-]+)", location)
    assert match, location
    none = client.get(authorize_url(agency, Flow(state="s1"), prompt="none"))
    assert redirect_params(none, agency) == {"error": "login_required", "state": "s1", "iss": "http://localhost",
                                             "error_description": NOT_SIGNED_IN}
    assert sign_in(client, citizen.key).status_code == 200
    back = client.get(location.split("next=")[1].replace("%3F", "?").replace("%3D", "="))
    result = redirect_params(decide(client, back), agency)
    assert exchange(client, agency, result["code"], flow).status_code == 200


def test_deny_returns_access_denied_with_state(client, register, citizen):
    agency = register()
    flow = Flow()
    result = redirect_params(decide(client, client.get(authorize_url(agency, flow)), "deny"), agency)
    assert result["error"] == "access_denied" and result["state"] == flow.state


def test_decision_needs_csrf_token(client, register, citizen):
    agency = register()
    html = client.get(authorize_url(agency, Flow())).get_data(as_text=True)
    interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
    response = client.post("/authorize/decision", data={"interaction": interaction, "decision": "allow"})
    assert response.status_code == 400 and "Location" not in response.headers


def test_prompt_none_without_earlier_decision_is_consent_required(client, register, citizen):
    agency = register()
    result = redirect_params(client.get(authorize_url(agency, Flow(), prompt="none")), agency)
    assert result["error"] == "consent_required"


def test_prompt_consent_asks_again(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    assert client.get(authorize_url(agency, Flow(), prompt="consent")).status_code == 200


def test_prompt_login_and_max_age_require_a_fresh_sign_in(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    for params in ({"prompt": "login"}, {"max_age": "0"}):
        flow = Flow()
        response = client.get(authorize_url(agency, flow, **params))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
        continue_path = response.headers["Location"].split("next=")[1].replace("%3F", "?").replace("%3D", "=")
        # The old session ended: coming back without signing in leads to sign-in again.
        assert client.get(continue_path).headers["Location"].startswith("/login?next=")
        # auth_time is the new sign-in's: not earlier than this second. (It was compared with the
        # token's iat minus 5 s, which a loaded machine, taking longer to get to the token, failed.)
        signing_in = int(time.time())
        assert sign_in(client, citizen.key).status_code == 200
        result = redirect_params(client.get(continue_path), agency)
        body = exchange(client, agency, result["code"], flow).get_json()
        assert signing_in <= claims_of(body["id_token"])["auth_time"] <= claims_of(body["access_token"])["iat"]


def test_prompt_none_with_old_sign_in_and_max_age_is_login_required(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    time.sleep(1.1)
    result = redirect_params(client.get(authorize_url(agency, Flow(), prompt="none", max_age="0")), agency)
    assert result["error"] == "login_required"


def test_select_account_shows_the_chooser(client, register, citizen):
    agency = register()
    page = client.get(authorize_url(agency, Flow(), prompt="select_account"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ana María López Pérez" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
    chosen = client.post("/authorize/account", data={"csrf_token": token, "interaction": interaction,
                                                     "choice": "continue"})
    assert chosen.status_code == 200 and 'name="decision"' in chosen.get_data(as_text=True)
    switch = client.post("/authorize/account", data={"csrf_token": token, "interaction": interaction,
                                                     "choice": "switch"})
    assert switch.status_code == 303 and switch.headers["Location"].startswith("/login?next=")


def test_acr_values_above_the_session_level_are_unmet(client, register, citizen):
    agency = register(max_assurance_level="high", security_profile="oidc")  # high: see test_fapi
    result = redirect_params(client.get(authorize_url(
        agency, Flow(), acr_values="http://eidas.europa.eu/LoA/substantial")), agency)
    assert result["error"] == "unmet_authentication_requirements"
    essential = '{"id_token": {"acr": {"essential": true, "values": ["http://eidas.europa.eu/LoA/high"]}}}'
    result = redirect_params(client.get(authorize_url(agency, Flow(), claims=essential)), agency)
    assert result["error"] == "unmet_authentication_requirements"
    body = tokens_for(client, agency, acr_values="http://eidas.europa.eu/LoA/low")
    assert claims_of(body["id_token"])["acr"] == "http://eidas.europa.eu/LoA/low"


def test_claims_parameter_puts_claims_in_the_id_token_and_userinfo(client, register, citizen):
    agency = register()
    request = '{"id_token": {"given_name": {"essential": true}}, "userinfo": {"birthdate": null}}'
    body = tokens_for(client, agency, scope="openid", claims=request)
    assert claims_of(body["id_token"])["given_name"] == "Ana María"
    info = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert set(info) == {"sub", "birthdate"}


def test_national_id_only_for_clients_granted_it(client, register, citizen):
    ordinary = register()
    result = redirect_params(client.get(authorize_url(ordinary, Flow(), scope="openid national_id")), ordinary)
    assert result["error"] == "invalid_scope"
    # Asking through the claims parameter without the scope releases nothing.
    body = tokens_for(client, ordinary, scope="openid", claims='{"userinfo": {"national_id": null}}')
    assert "national_id" not in client.get("/userinfo", headers=bearer(body["access_token"])).get_json()

    granted = register(scope="openid profile national_id", redirect_uris=["https://hacienda.example.gov/cb"],
                       security_profile="oidc")  # an operator's exception to FAPI 2.0 (test_fapi)
    flow = Flow()
    page = client.get(authorize_url(granted, flow, scope="openid national_id"))
    assert 'data-claim="national_id"' in page.get_data(as_text=True)
    code = redirect_params(decide(client, page), granted)["code"]
    body = exchange(client, granted, code, flow).get_json()
    info = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert info["national_id"] == citizen.national_id


def test_pairwise_subjects_differ_per_sector_and_public_is_stable(client, register, citizen):
    one = register(redirect_uris=["https://one.example.gov/cb"])
    same_sector = register(redirect_uris=["https://one.example.gov/other"])
    two = register(redirect_uris=["https://two.example.gov/cb"])
    public = register(redirect_uris=["https://three.example.gov/cb"], subject_type="public")
    subs = [claims_of(tokens_for(client, a)["id_token"])["sub"] for a in (one, same_sector, two, public)]
    assert subs[0] == subs[1] != subs[2]
    assert subs[3] == citizen.citizen_id
    assert citizen.citizen_id not in subs[:3] and citizen.national_id not in subs


def test_rs256_id_tokens_for_clients_that_registered_it(client, register, citizen):
    agency = register(id_token_signed_response_alg="RS256")
    body = tokens_for(client, agency)
    assert header_of(body["id_token"])["alg"] == "RS256"
    assert header_of(body["access_token"])["alg"] == "ES256"
    with client.application.app_context():
        verify_jwt(body["id_token"], algorithms=["RS256"], audience=agency.client_id)


def test_native_client_loopback_port_may_vary(client, register, citizen):
    agency = register(application_type="native", token_endpoint_auth_method="none",
                      redirect_uris=["http://127.0.0.1/callback"])
    flow = Flow()
    url = authorize_url(agency, flow, redirect_uri="http://127.0.0.1:53127/callback")
    response = decide(client, client.get(url))
    assert response.headers["Location"].startswith("http://127.0.0.1:53127/callback?code=")
    code = re.search(r"code=([^&]+)", response.headers["Location"]).group(1)
    token = exchange(client, agency, code, flow, redirect_uri="http://127.0.0.1:53127/callback")
    assert token.status_code == 200, token.get_json()
    bad = client.get(authorize_url(agency, Flow(), redirect_uri="http://127.0.0.1:53127/other"))
    assert bad.status_code == 400 and "Location" not in bad.headers
