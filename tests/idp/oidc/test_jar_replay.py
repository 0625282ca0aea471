"""A signed request object (JAR, RFC 9101 section 10.8; FAPI 2.0 Message Signing 5.3.1) counts
once: its jti (or, without one, the object itself) is spent, and a replay, at /authorize or
/par, is refused with invalid_request_object."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from tests.idp.oidc.conftest import Flow, decide, redirect_params
from tests.idp.oidc.test_jar import authorize, request_claims, request_object, signer  # noqa: F401


def _push(client, agency, token: str):
    form, _ = agency.auth({"client_id": agency.client_id, "request": token})
    return client.post("/par", data=form)


def test_a_request_object_replayed_at_authorize_is_refused(client, signer, citizen):  # noqa: F811
    flow = Flow()
    token = request_object(signer, request_claims(signer, flow, jti=str(uuid.uuid4())))
    first = redirect_params(decide(client, authorize(client, signer, token)), signer)
    assert "code" in first
    again = authorize(client, signer, token)
    assert again.status_code == 400 and "Location" not in again.headers


def test_a_request_object_without_jti_is_spent_too(client, signer, citizen):  # noqa: F811
    token = request_object(signer, request_claims(signer, Flow()))
    assert authorize(client, signer, token).status_code in (200, 302, 303)
    again = authorize(client, signer, token)
    assert again.status_code == 400 and "Location" not in again.headers


def test_a_request_object_replayed_at_par_is_refused(client, signer, citizen):  # noqa: F811
    token = request_object(signer, request_claims(signer, Flow(), jti=str(uuid.uuid4())))
    assert _push(client, signer, token).status_code == 201
    replay = _push(client, signer, token)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "invalid_request_object"
    assert "already used" in replay.get_json()["error_description"]


def test_a_pushed_request_object_cannot_then_be_sent_to_authorize(client, signer, citizen):  # noqa: F811
    token = request_object(signer, request_claims(signer, Flow(), jti=str(uuid.uuid4())))
    pushed = _push(client, signer, token)
    assert pushed.status_code == 201
    page = authorize(client, signer, token)
    assert page.status_code == 400 and "Location" not in page.headers


def test_the_same_jti_in_a_newly_signed_object_is_refused(client, signer, citizen):  # noqa: F811
    jti = str(uuid.uuid4())
    assert _push(client, signer, request_object(signer, request_claims(signer, Flow(), jti=jti))).status_code == 201
    other = _push(client, signer, request_object(signer, request_claims(signer, Flow(), jti=jti, state="s2")))
    assert other.status_code == 400 and other.get_json()["error"] == "invalid_request_object"


def test_each_new_jti_is_accepted(client, signer, citizen):  # noqa: F811
    for _ in range(2):
        token = request_object(signer, request_claims(signer, Flow(), jti=str(uuid.uuid4())))
        assert _push(client, signer, token).status_code == 201


def test_a_jti_that_is_not_a_string_is_refused(client, signer, citizen):  # noqa: F811
    pushed = _push(client, signer, request_object(signer, request_claims(signer, Flow(), jti=12)))
    assert pushed.status_code == 400 and pushed.get_json()["error"] == "invalid_request_object"
    assert "jti" in pushed.get_json()["error_description"]


def test_a_pushed_request_uri_still_works_once(client, signer, citizen):  # noqa: F811
    flow = Flow()
    pushed = _push(client, signer, request_object(signer, request_claims(signer, flow, jti=str(uuid.uuid4()))))
    uri = pushed.get_json()["request_uri"]
    page = client.get("/authorize?" + urlencode({"client_id": signer.client_id, "request_uri": uri}))
    assert "code" in redirect_params(decide(client, page), signer)
