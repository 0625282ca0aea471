"""An agency cannot pre-register its way out of FAPI 2.0 for a restricted scope.

A client with a restricted scope (national_id, documents:issue, indicators:read) follows the
FAPI 2.0 profile (private_key_jwt, PAR, DPoP) unless an operator registers it with
`security_profile: oidc`. Dynamic registration lets any agency ask for "oidc" while it holds no
restricted scope; the operator's `cedula clients grant-scope` then validated the metadata with
the operator's permissions, so the agency's own "oidc" passed as if the operator had chosen it:
the client got national_id with a client secret and plain front-channel requests.
"""

from __future__ import annotations

from click.testing import CliRunner

from clients.registry.services import find_client, issue_initial_token
from infra.db import get_db


def _self_registered(client, fresh_app, **metadata) -> str:
    with get_db(fresh_app).transaction() as session:
        token = issue_initial_token(session)
    body = {"client_name": "Hacienda", "redirect_uris": ["https://h.example.gov/cb"], **metadata}
    response = client.post("/register", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["client_id"]


def _grant(fresh_app, client_id: str, scope: str):
    from idp.cli import Context, cli

    return CliRunner().invoke(cli, ["clients", "grant-scope", client_id, scope], obj=Context(app=fresh_app))


def test_granting_a_restricted_scope_does_not_take_the_agencys_own_oidc_profile(client, fresh_app):
    client_id = _self_registered(client, fresh_app, security_profile="oidc")
    result = _grant(fresh_app, client_id, "national_id")
    assert result.exit_code == 1, result.output
    assert "FAPI 2.0" in result.output and "registered itself with security_profile oidc" in result.output
    with get_db(fresh_app).read() as session:
        assert "national_id" not in find_client(session, client_id).client_metadata["scope"].split()


def test_a_self_registered_fapi_client_still_gets_the_scope(client, fresh_app):
    from tests.idp.oidc.conftest import ECKey, ec

    key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1())).as_dict(private=False)
    client_id = _self_registered(client, fresh_app, token_endpoint_auth_method="private_key_jwt",
                                 jwks={"keys": [key]}, security_profile="fapi2")
    result = _grant(fresh_app, client_id, "national_id")
    assert result.exit_code == 0, result.output
    with get_db(fresh_app).read() as session:
        metadata = find_client(session, client_id).client_metadata
    assert "national_id" in metadata["scope"].split() and metadata["security_profile"] == "fapi2"
