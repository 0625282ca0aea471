"""`cedula clients ...` as an operator uses it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from idp.cli import cli


@pytest.fixture
def run(tmp_path):
    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_LOGGING_LEVEL": "WARNING", "CEDULA_DATABASE_URL": "",
           "CEDULA_REDIS_URL": ""}

    def invoke(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    invoke("db", "upgrade")
    return invoke


def test_register_prints_rfc_7591_metadata_with_the_secret_once(run):
    result = run("clients", "register", "--name", "Registro Civil",
                 "--redirect-uri", "http://localhost:8001/callback",
                 "--redirect-uri", "http://localhost:8001/callback2",
                 "--backchannel-logout-uri", "http://localhost:8001/backchannel-logout",
                 "--post-logout-redirect-uri", "http://localhost:8001/",
                 "--purpose", "Emitir tu partida de nacimiento")
    created = json.loads(result.output)
    assert created["client_secret"]
    assert created["redirect_uris"] == ["http://localhost:8001/callback", "http://localhost:8001/callback2"]
    assert created["scope"] == "openid profile email offline_access"
    assert created["grant_types"] == ["authorization_code", "refresh_token"]
    assert created["token_endpoint_auth_method"] == "client_secret_basic"

    shown = json.loads(run("clients", "show", created["client_id"]).output)
    assert "client_secret" not in shown
    assert created["client_id"] in run("clients", "list").output

    run("clients", "disable", created["client_id"])
    assert json.loads(run("clients", "show", created["client_id"]).output)["disabled"] is True


def test_repeated_scope_and_private_key_jwt(run, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]}))
    created = json.loads(run("clients", "register", "--name", "Hacienda", "--redirect-uri",
                             "https://hacienda.example.gov/cb", "--auth-method", "private_key_jwt",
                             "--jwks", str(jwks), "--scope", "openid", "--scope", "national_id",
                             "--subject-type", "public").output)
    assert "client_secret" not in created
    assert created["scope"] == "openid national_id"
    assert created["subject_type"] == "public"


def test_invalid_registration_says_why(run):
    result = run("clients", "register", "--name", "X", "--redirect-uri", "http://evil.example/cb", ok=False)
    assert result.exit_code == 1
    assert "invalid_redirect_uri" in result.output and "https" in result.output


def test_initial_token(run):
    token = run("clients", "initial-token", "--uses", "3").output.strip()
    assert len(token) >= 43


def test_operator_settings_are_shown_and_set_by_command(run):
    created = json.loads(run("clients", "register", "--name", "Portal", "--redirect-uri",
                             "https://portal.example.gov/cb", "--auth-method", "private_key_jwt",
                             "--jwks-uri", "https://portal.example.gov/jwks.json").output)
    client_id = created["client_id"]
    shown = json.loads(run("clients", "show", client_id).output)["operator"]
    assert shown == {"pairwise_sector": "portal.example.gov", "sector_fixed": False,
                     "assertion_audience": "strict", "backchannel_approved_uri": None}
    assert "private_key_jwt (aud strict)" in run("clients", "list").output
    assert "need aud legacy" in run("clients", "assertion-audience", client_id, "legacy").output
    assert json.loads(run("clients", "show", client_id).output)["operator"]["assertion_audience"] == "legacy"
    wrong = run("clients", "assertion-audience", client_id, "lenient", ok=False)
    assert wrong.exit_code == 2 and "'lenient' is not one of 'strict', 'legacy'" in wrong.output


def test_an_operator_approves_a_back_channel_uri_on_another_host(run):
    created = json.loads(run("clients", "register", "--name", "Portal", "--redirect-uri",
                             "https://portal.example.gov/cb").output)
    client_id = created["client_id"]
    approved = run("clients", "approve-backchannel", client_id, "https://sso.example.gov/logout")
    assert approved.output.strip() == \
        f"client {client_id}: back-channel logout to https://sso.example.gov/logout approved"
    shown = json.loads(run("clients", "show", client_id).output)
    assert shown["backchannel_logout_uri"] == "https://sso.example.gov/logout"
    assert shown["backchannel_logout_session_required"] is True
    assert shown["operator"]["backchannel_approved_uri"] == "https://sso.example.gov/logout"
    private = run("clients", "approve-backchannel", client_id, "https://169.254.169.254/logout", ok=False)
    assert private.exit_code == 1 and "must be an https URL on a public host" in private.output
    unknown = run("clients", "approve-backchannel", "nobody", "https://sso.example.gov/logout", ok=False)
    assert unknown.exit_code == 1 and "no client 'nobody'" in unknown.output


def test_restricted_scopes_register_fapi2_clients_unless_the_operator_says_otherwise(run):
    with_secret = run("clients", "register", "--name", "Hacienda", "--redirect-uri", "https://h.example.gov/cb",
                      "--scope", "openid", "--scope", "national_id", ok=False)
    assert with_secret.exit_code != 0 and "private_key_jwt" in with_secret.output
    opted_out = run("clients", "register", "--name", "Hacienda", "--redirect-uri", "https://h.example.gov/cb",
                    "--scope", "openid", "--scope", "national_id", "--security-profile", "oidc")
    assert json.loads(opted_out.output[opted_out.output.index("{"):])["security_profile"] == "oidc"


def test_register_with_names_per_language_and_a_logo(run):
    from tests.support import peers
    from tests.support.images import png

    with peers.serve(peers.answer(200, png(40, 40), **{"Content-Type": "image/png"})) as peer:
        result = run("clients", "register", "--name", "Registro Civil",
                     "--redirect-uri", "http://localhost:8001/callback",
                     "--localized", "client_name#en=Civil Registry", "--localized", "purpose#en=Birth certificates",
                     "--logo-uri", peer.url("/logo.png"))
    created = json.loads(result.stdout)
    assert created["client_name#en"] == "Civil Registry" and created["purpose#en"] == "Birth certificates"
    assert created["logo_uri"] == peer.url("/logo.png") and peer.connections == 1
    bad = run("clients", "register", "--name", "X", "--redirect-uri", "http://localhost:8001/cb",
              "--localized", "client_name=no tag", ok=False)
    assert bad.exit_code == 2 and "FIELD#TAG=VALUE" in bad.output
