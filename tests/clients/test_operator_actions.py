"""The operator's actions on agency clients (clients.registry.operator), shared by the CLI and
the operator console: registration from answers, restricted scopes, secret rotation."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clients.registry import ClientMetadataError
from clients.registry.operator import OperatorRegistration, grant_scopes, metadata_of, register_by_operator
from clients.registry.services import check_secret, find_client
from infra.db import get_db


def test_agency_scopes_bring_the_client_credentials_grant():
    answers = OperatorRegistration(name="Hacienda", scopes=("openid", "indicators:read"))
    assert metadata_of(answers)["grant_types"] == ["client_credentials"]
    with_portal = OperatorRegistration(name="Hacienda", redirect_uris=("https://h.example/cb",),
                                       scopes=("openid", "documents:issue"))
    assert metadata_of(with_portal)["grant_types"] == ["authorization_code", "refresh_token", "client_credentials"]
    with pytest.raises(ClientMetadataError, match="jwks or jwks_uri"):
        metadata_of(OperatorRegistration(name="x", jwks={"keys": []}, jwks_uri="https://x.example/jwks"))


def test_grant_scopes_validates_like_a_registration(fresh_app):
    with get_db(fresh_app).transaction() as session:
        client = register_by_operator(session, OperatorRegistration(
            name="Portal", redirect_uris=("https://portal.example/cb",), security_profile="oidc")).client
        client_id = client.client_id
        public = register_by_operator(session, OperatorRegistration(
            name="App", redirect_uris=("https://app.example/cb",), auth_method="none")).client.client_id
    with get_db(fresh_app).transaction() as session:
        granted = grant_scopes(session, client_id, ["indicators:read", "national_id"])
        assert granted.client_metadata["scope"].split()[-2:] == ["indicators:read", "national_id"]
        assert "client_credentials" in granted.client_metadata["grant_types"]
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(ClientMetadataError, match="openid is not a restricted scope"):
            grant_scopes(session, client_id, ["openid"])
        with pytest.raises(ClientMetadataError, match="client_credentials needs an authenticated client"):
            grant_scopes(session, public, ["documents:issue"])


def test_cli_rotates_a_secret_and_grants_a_scope(fresh_app):
    from idp.cli import Context, cli

    context = Context(app=fresh_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["clients", "register", "--name", "Portal", "--redirect-uri",
                                 "https://portal.example/cb", "--client-id", "portal", "--security-profile",
                                 "oidc"], obj=context)
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["clients", "rotate-secret", "portal"], obj=context)
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    with get_db(fresh_app).read() as session:
        assert check_secret(find_client(session, "portal"), secret)
    result = runner.invoke(cli, ["clients", "grant-scope", "portal", "documents:issue"], obj=context)
    assert result.exit_code == 0 and "documents:issue" in result.output
    result = runner.invoke(cli, ["clients", "grant-scope", "portal", "profile"], obj=context)
    assert result.exit_code == 1 and "profile is not a restricted scope" in result.output
    result = runner.invoke(cli, ["clients", "rotate-secret", "nobody"], obj=context)
    assert result.exit_code == 1 and "no client 'nobody'" in result.output


def test_a_restricted_scope_brings_fapi2_unless_the_operator_says_oidc(fresh_app):
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(ClientMetadataError, match=r"FAPI 2\.0 clients authenticate with private_key_jwt"):
            register_by_operator(session, OperatorRegistration(
                name="Aduanas", redirect_uris=("https://aduanas.example/cb",), scopes=("openid", "indicators:read")))
        plain = register_by_operator(session, OperatorRegistration(
            name="Aduanas", redirect_uris=("https://aduanas.example/cb",))).client.client_id
    with get_db(fresh_app).transaction() as session, \
            pytest.raises(ClientMetadataError, match=r"FAPI 2\.0 clients authenticate with private_key_jwt"):
        grant_scopes(session, plain, ["documents:issue"])
