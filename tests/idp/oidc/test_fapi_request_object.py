"""FAPI 2.0 Message Signing section 5.3.2: a FAPI 2.0 client's request object carries nbf (at
most 60 minutes before exp); without it, invalid_request_object. Other clients may leave it
out (RFC 9101 does not require it)."""

from __future__ import annotations

from tests.idp.oidc.conftest import Flow
from tests.idp.oidc.test_fapi import fapi_agency  # noqa: F401 - fixture
from tests.idp.oidc.test_jar import request_claims, request_object


def _push(client, agency, token: str):
    form, headers = agency.auth({"client_id": agency.client_id, "request": token})
    return client.post("/par", data=form, headers=headers)


def test_a_fapi_request_object_without_nbf_is_refused(client, fapi_agency):  # noqa: F811
    refused = _push(client, fapi_agency, request_object(fapi_agency, request_claims(fapi_agency, Flow(), nbf=None)))
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_request_object"
    assert "nbf" in refused.get_json()["error_description"]


def test_a_fapi_request_object_with_nbf_is_pushed(client, fapi_agency):  # noqa: F811
    pushed = _push(client, fapi_agency, request_object(fapi_agency, request_claims(fapi_agency, Flow())))
    assert pushed.status_code == 201, pushed.get_json()


def test_another_clients_request_object_may_leave_nbf_out(client, register):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    pushed = _push(client, agency, request_object(agency, request_claims(agency, Flow(), nbf=None)))
    assert pushed.status_code == 201, pushed.get_json()
