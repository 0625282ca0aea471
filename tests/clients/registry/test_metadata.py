"""Client metadata rules (RFC 7591, OIDC Registration, RFC 8252)."""

from __future__ import annotations

import pytest

from clients.registry.metadata import ClientMetadataError, Permissions, validate_metadata

AGENCY = Permissions()
OPERATOR = Permissions(operator=True)
WEB = {"redirect_uris": ["https://portal.example.gov/callback"]}


def refused(metadata, permissions=AGENCY):
    with pytest.raises(ClientMetadataError) as info:
        validate_metadata(metadata, permissions)
    return info.value


def test_defaults():
    metadata = validate_metadata(WEB, AGENCY)
    assert metadata == {
        "application_type": "web",
        "redirect_uris": ["https://portal.example.gov/callback"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "openid profile email offline_access",
        "id_token_signed_response_alg": "ES256",
        "subject_type": "pairwise",
    }


@pytest.mark.parametrize("uri", [
    "http://portal.example.gov/callback",        # http on a public host
    "https://portal.example.gov/cb#frag",       # fragment
    "https://*.example.gov/cb",                 # wildcard
    "https://user:pw@portal.example.gov/cb",    # userinfo in the authority
    "/relative/callback",                       # not absolute
    "ftp://portal.example.gov/cb",              # other scheme
    "https://portal.example.gov/a b",           # whitespace
    "",
])
def test_bad_web_redirect_uris(uri):
    error = refused({"redirect_uris": [uri]})
    assert error.error == "invalid_redirect_uri"
    assert error.field == "redirect_uris"


def test_http_is_allowed_for_localhost_development():
    assert validate_metadata({"redirect_uris": ["http://localhost:8001/callback"]}, AGENCY)


def test_native_loopback_and_private_use_schemes():
    native = {"application_type": "native", "token_endpoint_auth_method": "none"}
    ok = validate_metadata({**native, "redirect_uris": ["http://127.0.0.1/cb", "gov.example.app:/cb"]}, AGENCY)
    assert ok["redirect_uris"] == ["http://127.0.0.1/cb", "gov.example.app:/cb"]
    assert refused({**native, "redirect_uris": ["http://localhost/cb"]}).error == "invalid_redirect_uri"
    assert refused({**native, "redirect_uris": ["myapp:/cb"]}).error == "invalid_redirect_uri"


def test_code_grant_needs_a_redirect_uri():
    assert refused({"redirect_uris": []}).error == "invalid_redirect_uri"


FAPI = {**WEB, "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]}}


def test_restricted_scopes_need_an_operator():
    for scope in ("openid national_id", "openid documents:issue"):
        assert refused({**FAPI, "scope": scope}).field == "scope"
        assert validate_metadata({**FAPI, "scope": scope}, OPERATOR)["scope"] == scope


def test_initial_token_can_carry_a_restricted_scope():
    permissions = Permissions(extra_scopes=("national_id",))
    assert validate_metadata({**FAPI, "scope": "openid national_id"}, permissions)


def test_restricted_scopes_make_fapi2_clients_by_default():
    metadata = validate_metadata({**FAPI, "scope": "openid national_id"}, OPERATOR)
    assert metadata["security_profile"] == "fapi2"
    assert metadata["require_pushed_authorization_requests"] is True
    assert metadata["dpop_bound_access_tokens"] is True
    assert "security_profile" not in validate_metadata(WEB, AGENCY)
    assert validate_metadata({**WEB, "security_profile": "fapi2", **FAPI}, AGENCY)["security_profile"] == "fapi2"


@pytest.mark.parametrize(("change", "field"), [
    ({"token_endpoint_auth_method": "client_secret_basic"}, "token_endpoint_auth_method"),
    ({"token_endpoint_auth_method": "client_secret_post"}, "token_endpoint_auth_method"),
    ({"token_endpoint_auth_method": "none"}, "token_endpoint_auth_method"),
    ({"token_endpoint_auth_signing_alg": "RS256"}, "token_endpoint_auth_signing_alg"),
    ({"token_endpoint_auth_signing_alg": "EdDSA"}, "token_endpoint_auth_signing_alg"),
    ({"id_token_signed_response_alg": "RS256"}, "id_token_signed_response_alg"),
    ({"redirect_uris": ["http://localhost:8001/callback"]}, "redirect_uris"),
    ({"require_pushed_authorization_requests": False}, "require_pushed_authorization_requests"),
    ({"dpop_bound_access_tokens": False}, "dpop_bound_access_tokens"),
])
def test_fapi2_clients_rules(change, field):
    requested = {**FAPI, "scope": "openid national_id", **change}
    if change.get("token_endpoint_auth_method", "private_key_jwt") != "private_key_jwt":
        requested.pop("jwks")
    assert refused(requested, OPERATOR).field == field


def test_only_an_operator_opts_a_restricted_client_out_of_fapi2():
    permissions = Permissions(extra_scopes=("national_id",))
    opted_out = {**WEB, "scope": "openid national_id", "security_profile": "oidc"}
    assert refused(opted_out, permissions).field == "security_profile"
    assert validate_metadata(opted_out, OPERATOR)["security_profile"] == "oidc"
    assert refused({**WEB, "security_profile": "fapi1"}).field == "security_profile"


def test_unknown_scope_and_missing_openid():
    assert "not offered" in refused({**WEB, "scope": "openid admin"}).description
    assert "openid is required" in refused({**WEB, "scope": "profile"}).description


def test_public_subjects_need_an_operator():
    assert refused({**WEB, "subject_type": "public"}).field == "subject_type"
    assert validate_metadata({**WEB, "subject_type": "public"}, OPERATOR)["subject_type"] == "public"


def test_private_key_jwt_needs_keys_and_refuses_private_material():
    base = {**WEB, "token_endpoint_auth_method": "private_key_jwt"}
    assert refused(base).field == "jwks"
    key = {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}
    assert validate_metadata({**base, "jwks": {"keys": [key]}}, AGENCY)["jwks"] == {"keys": [key]}
    assert "private" in refused({**base, "jwks": {"keys": [{**key, "d": "secret"}]}}).description
    assert refused({**base, "jwks": {"keys": [key]}, "jwks_uri": "https://portal.example.gov/jwks"}).field == "jwks"


def test_client_credentials_is_for_operators_and_confidential_clients():
    assert refused({**WEB, "grant_types": ["authorization_code", "client_credentials"]}).field == "grant_types"
    metadata = validate_metadata({"grant_types": ["client_credentials"], "scope": "documents:issue",
                                  "security_profile": "oidc"}, OPERATOR)
    assert metadata["response_types"] == [] and metadata["redirect_uris"] == []
    assert refused({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"},
                   OPERATOR).field == "grant_types"


def test_logout_metadata():
    metadata = validate_metadata({**WEB, "post_logout_redirect_uris": ["https://portal.example.gov/bye"],
                                  "backchannel_logout_uri": "https://portal.example.gov/bcl"}, AGENCY)
    assert metadata["backchannel_logout_session_required"] is True
    assert refused({**WEB, "backchannel_logout_uri": "http://portal.example.gov/bcl"}).field == \
        "backchannel_logout_uri"


@pytest.mark.parametrize("field,value", [
    ("grant_types", "authorization_code"),
    ("redirect_uris", "https://portal.example.gov/cb"),
    ("client_name", 42),
    ("id_token_signed_response_alg", "HS256"),
    ("token_endpoint_auth_method", "client_secret_jwt"),
    ("default_max_age", -1),
    ("application_type", "desktop"),
])
def test_wrong_types_are_refused_naming_the_field(field, value):
    assert refused({**WEB, field: value}).field == field


@pytest.mark.parametrize(("field", "value", "limit", "error"), [
    ("redirect_uris", [f"https://portal.example.gov/cb/{n}" for n in range(20_000)], 20, "invalid_redirect_uri"),
    ("redirect_uris", [f"https://portal.example.gov/cb/{n}" for n in range(21)], 20, "invalid_redirect_uri"),
    ("post_logout_redirect_uris", [f"https://portal.example.gov/bye/{n}" for n in range(21)], 20,
     "invalid_client_metadata"),
    ("contacts", [f"ops{n}@portal.example.gov" for n in range(11)], 10, "invalid_client_metadata"),
    ("grant_types", ["authorization_code"] * 11, 10, "invalid_client_metadata"),
    ("response_types", ["code"] * 11, 10, "invalid_client_metadata"),
])
def test_metadata_arrays_have_count_limits(field, value, limit, error):
    """Issue 14: 20,000 redirect URIs were accepted; each array now has a limit, checked first."""
    problem = refused({**WEB, field: value}, OPERATOR)
    assert problem.error == error and problem.field == field
    assert problem.description == f"{field}: has {len(value)} entries; at most {limit} are accepted"
    assert validate_metadata({**WEB, field: value[:limit]} if field != "redirect_uris" else
                             {"redirect_uris": value[:limit]}, OPERATOR)


def test_jwks_and_contacts_have_limits_too():
    key = {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}
    problem = refused({**WEB, "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key] * 11}})
    assert problem.description == "jwks: has 11 entries; at most 10 are accepted"
    long = refused({**WEB, "contacts": ["a" * 321]})
    assert long.description == "contacts: each contact is at most 320 characters"
