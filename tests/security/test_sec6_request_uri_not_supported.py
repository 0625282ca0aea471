"""request_uri_parameter_supported is false: a `request_uri` that is not the URN of a pushed
request (RFC 9126) is refused with request_uri_not_supported (OIDC Core 3.1.2.6), sent back to
the client's redirect URI when the request names a valid one (with `state` and `iss`), and
nothing is fetched from it. Before, every request_uri went to the pushed-request store and a
URL got the page for an unknown pushed request (invalid_request_uri, logged only), an error
that tells the agency to push again instead of that the parameter is not supported."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, get_code, redirect_params
from tests.idp.oidc.test_authorize_error_page import refusal_logged
from tests.idp.oidc.test_par import authorize_pushed, request_uri_of

NOT_PUSHED = ["https://attacker.example/request.jwt", "http://127.0.0.1:8080/r", "urn:example:request:1",
              "data:application/jwt,eyJ"]


@pytest.fixture
def no_lookups(monkeypatch) -> list[tuple]:
    """Every name lookup or connection attempted, refused (the test client needs none)."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no outbound connection in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize("request_uri", NOT_PUSHED)
def test_a_request_uri_not_pushed_is_not_supported(client, register, citizen, no_lookups, request_uri):
    agency = register()
    flow = Flow()
    answer = redirect_params(client.get(authorize_url(agency, flow, request_uri=request_uri)), agency)
    assert answer["error"] == "request_uri_not_supported", answer
    assert answer["state"] == flow.state and answer["iss"] == "http://localhost"
    assert "code" not in answer
    assert no_lookups == []
    # The browser and the agency go on: the same request without it is answered.
    assert get_code(client, agency, flow)[0]


def test_without_a_valid_redirect_uri_it_is_a_page(client, register, citizen, no_lookups, caplog):
    agency = register()
    response = client.get("/authorize?" + urlencode({"client_id": agency.client_id,
                                                     "request_uri": "https://attacker.example/r"}))
    assert response.status_code == 400 and "Location" not in response.headers
    assert "redirect_uri" in refusal_logged(caplog)
    assert no_lookups == []


def test_a_pushed_request_uri_still_works_and_a_made_up_urn_is_unknown(client, register, citizen, caplog):
    agency = register()
    request_uri = request_uri_of(client, agency, Flow())
    made_up = authorize_pushed(client, agency.client_id, request_uri[:-4] + "AAAA")
    assert made_up.status_code == 400 and "Location" not in made_up.headers
    assert "expired or was already used" in refusal_logged(caplog)
    assert authorize_pushed(client, agency.client_id, request_uri).status_code == 200
