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


def test_a_request_object_survives_the_dpop_nonce_retry(client, fapi_agency):  # noqa: F811
    """RFC 9449 section 8: the first push with a DPoP proof gets use_dpop_nonce; the retry sends
    the same request object with a proof holding the nonce. The object was not used by the
    refused push: the retry is not a replay."""
    from tests.idp.oidc.test_fapi import PAR
    from tests.support.dpop import DpopKey

    token = request_object(fapi_agency, request_claims(fapi_agency, Flow()))
    key = DpopKey()
    answers = []
    for _ in range(2):
        form, headers = fapi_agency.auth({"client_id": fapi_agency.client_id, "request": token})
        headers["DPoP"] = key.proof("POST", PAR)
        answer = client.post("/par", data=form, headers=headers)
        answers.append(answer)
        if answer.status_code == 400 and answer.get_json()["error"] == "use_dpop_nonce":
            key.remember(answer)
            continue
        break
    assert answers[0].get_json().get("error") == "use_dpop_nonce", "the nonce is required at /par"
    assert answers[-1].status_code == 201, answers[-1].get_json()
