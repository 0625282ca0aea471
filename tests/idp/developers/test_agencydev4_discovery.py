"""Every value the discovery document advertises works, exercised one by one as an agency's
developer would after reading /.well-known/openid-configuration (OpenID Connect Discovery 1.0
section 3, RFC 8414 section 2): each signing algorithm of client assertions, request objects
and DPoP proofs, each ID token algorithm, response mode, prompt, scope and claim."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    Flow,
    citizen,
    claims_of,
    decide,
    exchange,
    get_code,
    header_of,
    oidc_app,
    redirect_params,
    register,
    registered_agency,
)
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.support.dpop import DpopKey

ISSUER = "http://localhost"
CONFIGURATION = "/.well-known/openid-configuration"


def _key(alg: str) -> Any:
    if alg == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    if alg in ("RS256", "PS256"):
        return RSAKey.generate_key(2048)
    return ECKey.generate_key({"ES256": "P-256", "ES384": "P-384"}[alg])


def _signing_client(app, alg: str, *, alg_member: bool = True, **metadata: Any):
    """A private_key_jwt client whose JWK Set holds one key for `alg` (named in the key's `alg`
    member, RFC 7517 section 4.4, unless `alg_member` is false), registered without
    token_endpoint_auth_signing_alg, as the guide's commands do."""
    key = _key(alg)
    public = dict(key.as_dict(private=False), kid="agency-key")
    if alg_member:
        public["alg"] = alg
    agency = registered_agency(app, token_endpoint_auth_method="private_key_jwt", jwks={"keys": [public]}, **metadata)
    agency.key = key
    return agency


def _metadata(client) -> dict[str, Any]:
    return client.get(CONFIGURATION).get_json()


def _advertised(app, name: str) -> list[str]:
    return _metadata(app.test_client())[name]


def _assertion_form(agency, alg: str) -> dict[str, str]:
    return {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": agency.assertion(alg=alg, key=agency.key),
    }


@pytest.mark.parametrize("endpoint", ["token_endpoint", "introspection_endpoint", "revocation_endpoint"])
def test_every_advertised_client_assertion_algorithm_authenticates(oidc_app, endpoint):  # noqa: F811
    client = oidc_app.test_client()
    metadata = _metadata(client)
    prefix = endpoint.removesuffix("_endpoint")
    algs = metadata[f"{prefix}_endpoint_auth_signing_alg_values_supported"]
    assert "private_key_jwt" in metadata[f"{prefix}_endpoint_auth_methods_supported"]
    path = urlsplit(metadata[endpoint]).path
    for alg in algs:
        agency = _signing_client(oidc_app, alg)
        form = {"grant_type": "refresh_token", "refresh_token": "unknown"} if prefix == "token" else {"token": "x"}
        answer = client.post(path, data={**form, **_assertion_form(agency, alg)})
        if prefix == "token":  # authenticated: the refresh token is what is refused
            assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant", (alg, answer.get_json())
        else:
            assert answer.status_code == 200, (alg, answer.get_data(as_text=True))


@pytest.mark.parametrize("alg", ["ES384", "RS256", "EdDSA"])
def test_a_key_without_alg_is_held_to_the_algorithm_of_its_type(oidc_app, alg):  # noqa: F811
    """An RSA (or P-384, or Ed25519) key registered without token_endpoint_auth_signing_alg was
    held to ES256: every assertion the agency signed with its own key was refused."""
    agency = _signing_client(oidc_app, alg, alg_member=False)
    assert agency.metadata["token_endpoint_auth_signing_alg"] == alg
    answer = oidc_app.test_client().post("/introspect", data={"token": "x", **_assertion_form(agency, alg)})
    assert answer.status_code == 200, answer.get_json()


def test_every_advertised_request_object_algorithm_is_accepted_at_par(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    for alg in _advertised(oidc_app, "request_object_signing_alg_values_supported"):
        agency = _signing_client(oidc_app, alg)
        signed = request_object(agency, request_claims(agency, Flow()), key=agency.key, alg=alg)
        answer = client.post(
            "/par", data={"client_id": agency.client_id, "request": signed, **_assertion_form(agency, alg)}
        )
        assert answer.status_code == 201, (alg, answer.get_json())


def test_every_advertised_dpop_algorithm_is_accepted(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    agency = registered_agency(oidc_app, token_endpoint_auth_method="none")
    for alg in _advertised(oidc_app, "dpop_signing_alg_values_supported"):
        key = DpopKey(key=_key(alg))
        form = {
            "client_id": agency.client_id,
            "response_type": "code",
            "redirect_uri": agency.redirect_uri,
            "scope": "openid",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
        for _attempt in range(2):
            answer = client.post("/par", data=form, headers={"DPoP": key.proof("POST", ISSUER + "/par", alg=alg)})
            if answer.status_code == 400 and answer.get_json()["error"] == "use_dpop_nonce":
                key.remember(answer)
                continue
            break
        assert answer.status_code == 201, (alg, answer.get_json())


def test_every_advertised_id_token_algorithm_signs_the_id_token(oidc_app, client, citizen):  # noqa: F811
    keys = KeySet.import_key_set(client.get("/jwks.json").get_json())
    for alg in _advertised(oidc_app, "id_token_signing_alg_values_supported"):
        agency = registered_agency(oidc_app, id_token_signed_response_alg=alg)
        code, flow = get_code(client, agency)
        id_token = exchange(client, agency, code, flow).get_json()["id_token"]
        assert header_of(id_token)["alg"] == alg
        jwt.decode(id_token, keys, algorithms=[alg])  # verifies with a key of jwks_uri


ENDPOINT_METHODS = {
    "authorization_endpoint": "GET",
    "token_endpoint": "POST",
    "userinfo_endpoint": "GET",
    "jwks_uri": "GET",
    "registration_endpoint": "POST",
    "introspection_endpoint": "POST",
    "revocation_endpoint": "POST",
    "pushed_authorization_request_endpoint": "POST",
    "end_session_endpoint": "GET",
    "service_documentation": "GET",
}


def test_every_advertised_address_is_served(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    metadata = _metadata(client)
    addresses = {name for name, value in metadata.items() if isinstance(value, str) and value.startswith(ISSUER + "/")}
    assert addresses == set(ENDPOINT_METHODS), addresses ^ set(ENDPOINT_METHODS)
    for name, method in ENDPOINT_METHODS.items():
        answer = client.open(urlsplit(metadata[name]).path, method=method)
        assert answer.status_code not in (404, 405) and answer.status_code < 500, (name, answer.status_code)


def test_every_advertised_scope_is_granted_to_a_client_that_holds_it(oidc_app, client, citizen):  # noqa: F811
    """The scopes an agency may be granted (documents:issue, indicators:read) work with client
    credentials but were not in scopes_supported."""
    from idp.oidc.client_credentials import SCOPES as AGENCY_SCOPES

    advertised = _advertised(oidc_app, "scopes_supported")
    asked = [scope for scope in advertised if scope not in AGENCY_SCOPES]
    portal = registered_agency(oidc_app, scope=" ".join(asked), security_profile="oidc")
    code, flow = get_code(client, portal, scope=" ".join(asked), prompt="consent")
    granted = exchange(client, portal, code, flow).get_json()
    assert set(granted["scope"].split()) == set(asked), granted
    assert "refresh_token" in granted  # offline_access
    for scope in AGENCY_SCOPES:
        assert scope in advertised, f"{scope} works with client credentials but is not in scopes_supported"
    agency = registered_agency(
        oidc_app,
        scope="openid " + " ".join(AGENCY_SCOPES),
        security_profile="oidc",
        grant_types=["authorization_code", "client_credentials"],
    )
    own = client.post(
        "/token", data={"grant_type": "client_credentials", "scope": " ".join(AGENCY_SCOPES)}, headers=_basic(agency)
    )
    assert own.status_code == 200 and set(own.get_json()["scope"].split()) == set(AGENCY_SCOPES), own.get_json()


def _basic(agency) -> dict[str, str]:
    from tests.support.basic_auth import basic_auth

    return basic_auth(agency.client_id, agency.secret)


def test_every_advertised_claim_is_released(oidc_app, client, citizen):  # noqa: F811
    from tests.idp.oidc.conftest import bearer

    advertised = _advertised(oidc_app, "claims_supported")
    portal = registered_agency(oidc_app, scope="openid profile email national_id", security_profile="oidc")
    code, flow = get_code(client, portal, scope="openid profile email national_id")
    tokens = exchange(client, portal, code, flow).get_json()
    released = set(claims_of(tokens["id_token"])) | set(
        client.get("/userinfo", headers=bearer(tokens["access_token"])).get_json()
    )
    # national_id is released at level substantial and above only (insufficient_user_authentication).
    assert set(advertised) - released <= {"national_id"}, set(advertised) - released
    assert released - {"jti", "azp", "sid"} <= set(advertised) | {"sid"}, released - set(advertised)


def test_every_advertised_prompt_and_language_is_accepted(oidc_app, client, citizen):  # noqa: F811
    from tests.idp.oidc.conftest import authorize_url

    metadata = _metadata(client)
    portal = registered_agency(oidc_app)
    get_code(client, portal)  # consented once
    for prompt in metadata["prompt_values_supported"]:
        answer = client.get(authorize_url(portal, Flow(), prompt=prompt))
        location = answer.headers.get("Location", "")
        assert "error=" not in location and answer.status_code in (200, 302, 303), (
            prompt,
            answer.status_code,
            location,
        )
    for language in metadata["ui_locales_supported"]:
        page = client.get(authorize_url(portal, Flow(), prompt="consent", ui_locales=language))
        assert page.status_code == 200 and f'lang="{language}"' in page.get_data(as_text=True), language


def test_only_the_advertised_code_challenge_methods_work(oidc_app, client, citizen):  # noqa: F811
    from tests.idp.oidc.conftest import authorize_url

    assert _advertised(oidc_app, "code_challenge_methods_supported") == ["S256"]
    portal = registered_agency(oidc_app)
    flow = Flow()
    refused = redirect_params(
        client.get(authorize_url(portal, flow, code_challenge=flow.verifier, code_challenge_method="plain")), portal
    )
    assert refused["error"] == "invalid_request" and "S256" in refused["error_description"], refused


def test_every_advertised_subject_type_works(oidc_app, client, citizen):  # noqa: F811
    subjects = {}
    for subject_type in _advertised(oidc_app, "subject_types_supported"):
        for host in ("one", "two"):
            portal = registered_agency(
                oidc_app, subject_type=subject_type, redirect_uris=[f"https://{host}.example.gov/callback"]
            )
            code, flow = get_code(client, portal)
            subjects[subject_type, host] = claims_of(exchange(client, portal, code, flow).get_json()["id_token"])["sub"]
    assert subjects["pairwise", "one"] != subjects["pairwise", "two"]
    assert subjects["public", "one"] == subjects["public", "two"]


def test_an_agency_scope_at_authorize_says_where_it_is_given(oidc_app, client, citizen):  # noqa: F811
    """scopes_supported lists documents:issue; asked for at /authorize it was 'not offered by
    this provider', which the discovery document contradicts."""
    from tests.idp.oidc.conftest import authorize_url

    portal = registered_agency(
        oidc_app,
        scope="openid documents:issue",
        security_profile="oidc",
        grant_types=["authorization_code", "client_credentials"],
    )
    refused = redirect_params(client.get(authorize_url(portal, Flow(), scope="openid documents:issue")), portal)
    assert refused["error"] == "invalid_scope"
    assert "grant_type=client_credentials" in refused["error_description"], refused


def test_every_advertised_client_authentication_method_works(oidc_app, client, citizen):  # noqa: F811
    metadata = _metadata(client)
    for endpoint in ("token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        for method in metadata[f"{endpoint.removesuffix('_endpoint')}_endpoint_auth_methods_supported"]:
            portal = registered_agency(oidc_app, token_endpoint_auth_method=method, scope="openid offline_access")
            code, flow = get_code(client, portal, scope="openid offline_access")
            refresh = exchange(client, portal, code, flow).get_json()["refresh_token"]
            form = (
                {"grant_type": "refresh_token", "refresh_token": refresh}
                if endpoint == "token_endpoint"
                else {"token": refresh}
            )
            body, headers = portal.auth(form)
            answer = client.post(urlsplit(metadata[endpoint]).path, data=body, headers=headers)
            assert answer.status_code == 200, (endpoint, method, answer.get_json())
            if endpoint == "introspection_endpoint":
                assert answer.get_json()["active"] is True, method


def test_the_claims_parameter_is_honoured(oidc_app, client, citizen):  # noqa: F811
    import json

    assert _metadata(client)["claims_parameter_supported"] is True
    portal = registered_agency(oidc_app)
    code, flow = get_code(
        client,
        portal,
        scope="openid email",
        claims=json.dumps({"id_token": {"email": None, "auth_time": {"essential": True}}}),
    )
    id_token = claims_of(exchange(client, portal, code, flow).get_json()["id_token"])
    assert "email" in id_token and "auth_time" in id_token, id_token


def test_every_advertised_level_is_understood(oidc_app, client, citizen):  # noqa: F811
    """Each acr value is a level Cédula knows: reached (a code) or honestly not reached
    (unmet_authentication_requirements), never refused as a bad request, for a portal allowed to
    ask for it (level high: an operator's max_assurance_level)."""
    from tests.idp.oidc.conftest import authorize_url

    portal = registered_agency(oidc_app, security_profile="oidc", max_assurance_level="high")
    get_code(client, portal)
    for acr in _advertised(oidc_app, "acr_values_supported"):
        flow = Flow()
        answer = client.get(authorize_url(portal, flow, acr_values=acr))
        if answer.status_code == 200:
            answer = decide(client, answer)
        if answer.status_code == 200:  # a passkey check is asked: the level is understood
            continue
        result = redirect_params(answer, portal)
        assert "code" in result or result["error"] == "unmet_authentication_requirements", (acr, result)
