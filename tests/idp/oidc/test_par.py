"""Pushed authorization requests (RFC 9126): the endpoint, the request_uri's rules, and the
clients that must push (each attack of issue #17 a test)."""

from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from tests.idp.oidc.conftest import Agency, Flow, decide, exchange, redirect_params, s256
from tests.idp.oidc.test_authorize_error_page import refusal_logged
from tests.support.components import replace_component

PAR = "/par"


def pushed_params(agency: Agency, flow: Flow, **params: str | None) -> dict[str, str]:
    query = {"response_type": "code", "client_id": agency.client_id, "redirect_uri": agency.redirect_uri,
             "scope": "openid profile email", "state": flow.state, "nonce": flow.nonce,
             "code_challenge": s256(flow.verifier), "code_challenge_method": "S256"}
    query.update(params)
    return {k: v for k, v in query.items() if v is not None}


def push(client, agency: Agency, flow: Flow, **params: str | None):
    form, headers = agency.auth(pushed_params(agency, flow, **params))
    return client.post(PAR, data=form, headers=headers)


def request_uri_of(client, agency: Agency, flow: Flow, **params: str | None) -> str:
    response = push(client, agency, flow, **params)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["request_uri"]


def authorize_pushed(client, client_id: str, request_uri: str, **extra: str):
    return client.get("/authorize?" + urlencode({"client_id": client_id, "request_uri": request_uri, **extra}))


def test_pushed_request_runs_the_code_flow(client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    flow = Flow()
    response = push(client, agency, flow)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["expires_in"] == 60
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")

    page = authorize_pushed(client, agency.client_id, body["request_uri"])
    result = redirect_params(decide(client, page), agency)
    assert result["state"] == flow.state and result["iss"] == "http://localhost"
    tokens = exchange(client, agency, result["code"], flow)
    assert tokens.status_code == 200, tokens.get_json()


def test_only_the_pushed_parameters_count(client, register, citizen):
    agency = register(redirect_uris=["https://portal.example.gov/callback", "https://portal.example.gov/other"])
    flow = Flow()
    request_uri = request_uri_of(client, agency, flow, scope="openid")
    page = authorize_pushed(client, agency.client_id, request_uri, redirect_uri="https://portal.example.gov/other",
                            scope="openid profile email", state="forged")
    result = redirect_params(decide(client, page) if page.status_code == 200 else page, agency)
    assert result["state"] == flow.state
    body = exchange(client, agency, result["code"], flow).get_json()
    assert body["scope"] == "openid"


def test_unpushed_request_of_a_par_client_is_refused(client, register, citizen):
    agency = register(require_pushed_authorization_requests=True)
    flow = Flow()
    response = client.get("/authorize?" + urlencode(pushed_params(agency, flow)))
    result = redirect_params(response, agency)
    assert result["error"] == "invalid_request" and "RFC 9126 section 5" in result["error_description"]
    assert result["state"] == flow.state
    # Pushed, the same request goes through.
    page = authorize_pushed(client, agency.client_id, request_uri_of(client, agency, flow))
    assert page.status_code == 200


def test_the_global_setting_makes_every_client_push(client, register, citizen, monkeypatch):
    from idp.oidc import PROVIDER, provider

    app = client.application
    before = provider(app)
    replace_component(monkeypatch, app, PROVIDER, replace(
        before, settings=replace(before.settings, require_pushed_authorization_requests=True)))
    agency = register()
    response = client.get("/authorize?" + urlencode(pushed_params(agency, Flow())))
    assert redirect_params(response, agency)["error"] == "invalid_request"
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["require_pushed_authorization_requests"] is True


def test_request_uri_is_single_use(client, register, citizen, caplog):
    agency = register()
    request_uri = request_uri_of(client, agency, Flow())
    assert authorize_pushed(client, agency.client_id, request_uri).status_code == 200
    again = authorize_pushed(client, agency.client_id, request_uri)
    assert again.status_code == 400 and "Location" not in again.headers
    assert "already used" in refusal_logged(caplog)  # the page says it in plain words


def test_request_uri_expires_after_60_seconds(client, register, citizen, monkeypatch, caplog):
    agency = register()
    request_uri = request_uri_of(client, agency, Flow())
    later = time.time() + 61
    monkeypatch.setattr("idp.oidc.views.time", SimpleNamespace(time=lambda: later))
    response = authorize_pushed(client, agency.client_id, request_uri)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "expired" in refusal_logged(caplog)


def test_request_uri_of_another_client_is_refused_and_stays_its_owners(client, register, citizen, caplog):
    owner, other = register(), register()
    request_uri = request_uri_of(client, owner, Flow())
    stolen = authorize_pushed(client, other.client_id, request_uri)
    assert stolen.status_code == 400 and "Location" not in stolen.headers
    assert "another client" in refusal_logged(caplog)
    assert authorize_pushed(client, owner.client_id, request_uri).status_code == 200


@pytest.mark.parametrize("request_uri", ["urn:ietf:params:oauth:request_uri:made-up", "https://evil.example/r"])
def test_unknown_request_uri_is_refused(client, register, citizen, request_uri):
    agency = register()
    response = authorize_pushed(client, agency.client_id, request_uri)
    assert response.status_code == 400 and "Location" not in response.headers


def test_request_uri_without_client_id_is_refused(client, register, citizen, caplog):
    agency = register()
    request_uri = request_uri_of(client, agency, Flow())
    response = client.get("/authorize?" + urlencode({"request_uri": request_uri}))
    assert response.status_code == 400 and "client_id" in refusal_logged(caplog)
    assert authorize_pushed(client, agency.client_id, request_uri).status_code == 200


def test_par_authenticates_the_client_as_the_token_endpoint_does(client, register):
    agency = register()
    wrong = replace(agency, secret="not-the-secret")
    response = push(client, wrong, Flow())
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    signed = register(token_endpoint_auth_method="private_key_jwt")
    form, _ = signed.auth(pushed_params(signed, Flow()))
    form["client_assertion"] = signed.assertion(aud="http://localhost/token")  # strict: the issuer only
    response = client.post(PAR, data=form)
    assert response.status_code == 401 and "aud" in response.get_json()["error_description"]


def test_par_client_id_must_be_the_authenticated_client(client, register):
    agency, other = register(), register()
    response = push(client, agency, Flow(), client_id=other.client_id)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


@pytest.mark.parametrize(("params", "error"), [
    ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
    ({"redirect_uri": "https://evil.example/callback"}, "invalid_request"),
    ({"scope": "openid unknown"}, "invalid_scope"),
    ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
    ({"response_type": "token"}, "unsupported_response_type"),
])
def test_par_validates_the_request_as_authorize_would(client, register, params, error):
    agency = register()
    response = push(client, agency, Flow(), **params)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == error


def test_par_metadata_is_validated_and_advertised(client, register):
    from clients.registry import ClientMetadataError, Permissions, validate_metadata

    with pytest.raises(ClientMetadataError, match="require_pushed_authorization_requests"):
        validate_metadata({"redirect_uris": ["https://a.example/cb"],
                           "require_pushed_authorization_requests": "yes"}, Permissions())
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["pushed_authorization_request_endpoint"] == "http://localhost/par"
    assert meta["require_pushed_authorization_requests"] is False


def test_rfc8414_metadata_is_the_discovery_document(client):
    oauth = client.get("/.well-known/oauth-authorization-server")
    assert oauth.status_code == 200 and oauth.headers["Cache-Control"] == "public, max-age=300"
    assert oauth.get_json() == client.get("/.well-known/openid-configuration").get_json()
    assert oauth.get_json()["issuer"] == "http://localhost"
