"""backchannel_logout_uri (issue 14): the provider POSTs there on its own, so it must be on the
host of one of the client's redirect URIs, or approved by an operator
(`cedula clients approve-backchannel`); an agency cannot approve its own."""

from __future__ import annotations

import pytest

from clients.registry.services import approve_backchannel, issue_initial_token
from infra.db import get_db

BODY = {"client_name": "Portal", "redirect_uris": ["https://portal.example.gov/cb"]}
REFUSAL = ("backchannel_logout_uri: must be on the host of a redirect URI (portal.example.gov); an endpoint on "
           "{where} needs an operator's approval (cedula clients approve-backchannel CLIENT_ID URI)")


@pytest.fixture
def initial(fresh_app):
    with get_db(fresh_app).transaction() as session:
        return {"Authorization": f"Bearer {issue_initial_token(session, uses=10)}"}


@pytest.mark.parametrize("uri", ["https://elsewhere.example.org/logout", "https://portal.example.gov:8443/logout",
                                 "https://internal.portal.example.gov/logout"])
def test_dynamic_registration_refuses_a_back_channel_uri_off_the_redirect_hosts(client, initial, uri):
    from urllib.parse import urlsplit

    answer = client.post("/register", json={**BODY, "backchannel_logout_uri": uri}, headers=initial)
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "invalid_client_metadata",
                                 "error_description": REFUSAL.format(where=urlsplit(uri).netloc)}


@pytest.mark.parametrize("redirect", ["com.attacker.app://portal.example.gov:443/cb",
                                      "com.attacker.app://portal.example.gov/cb"])
def test_a_private_use_redirect_uri_proves_no_host_for_the_back_channel(client, initial, redirect):
    """A native app's private-use URI names any "host" it likes (RFC 8252 section 7.1): with an
    explicit :443 it made the provider POST logout tokens to portal.example.gov on its own."""
    body = {"client_name": "App", "application_type": "native", "token_endpoint_auth_method": "none",
            "redirect_uris": [redirect], "backchannel_logout_uri": "https://portal.example.gov/logout"}
    answer = client.post("/register", json=body, headers=initial)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error_description"] == (
        "backchannel_logout_uri: must be on the host of a redirect URI (none); an endpoint on portal.example.gov "
        "needs an operator's approval (cedula clients approve-backchannel CLIENT_ID URI)")


def test_a_back_channel_uri_on_the_redirect_host_is_accepted(client, initial):
    answer = client.post("/register", json={**BODY, "backchannel_logout_uri": "https://portal.example.gov/bc"},
                         headers=initial)
    assert answer.status_code == 201, answer.get_json()


def test_an_update_keeps_to_the_rule_and_to_what_an_operator_approved(client, fresh_app, initial):
    created = client.post("/register", json=BODY, headers=initial).get_json()
    management = {"Authorization": f"Bearer {created['registration_access_token']}"}
    path = f"/register/{created['client_id']}"
    elsewhere = {**BODY, "backchannel_logout_uri": "https://sso.example.org/logout"}
    assert client.put(path, json=elsewhere, headers=management).status_code == 400
    with get_db(fresh_app).transaction() as session:
        approve_backchannel(session, created["client_id"], "https://sso.example.org/logout")
    approved = client.put(path, json=elsewhere, headers=management)
    assert approved.status_code == 200
    management = {"Authorization": f"Bearer {approved.get_json()['registration_access_token']}"}
    other = {**BODY, "backchannel_logout_uri": "https://sso.example.org/other"}
    assert client.put(path, json=other, headers=management).get_json()["error"] == "invalid_client_metadata"
