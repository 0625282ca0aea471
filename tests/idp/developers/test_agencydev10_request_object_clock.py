"""A request object (RFC 9101) refused for its time said "has expired", "nbf is in the future"
or "iat is in the future" without the amount or the usual cause (the portal's server clock:
openid-client dates request objects with it), as client assertions and DPoP proofs did
(test_agencydev10_clock_messages.py). It now says by how many seconds, and to check the clock."""

from __future__ import annotations

import time

import pytest

from tests.idp.oidc.conftest import Flow, oidc_app, register  # noqa: F401 - the fixtures
from tests.idp.oidc.test_jar import request_claims, request_object, signer  # noqa: F401


@pytest.mark.parametrize(("when", "expected"), [
    ({"iat": -700, "exp": -600}, "the request object expired 6"),
    ({"iat": None, "nbf": 300, "exp": 600}, "the request object's nbf is 30"),
    ({"iat": 300, "nbf": None, "exp": 600}, "the request object's iat is 30"),
])
def test_a_request_object_refused_for_its_time_says_by_how_much(oidc_app, signer, when, expected):  # noqa: F811
    now = int(time.time())
    claims = request_claims(signer, Flow(), **{name: None if offset is None else now + offset
                                               for name, offset in when.items()})
    form, _ = signer.auth({"client_id": signer.client_id, "request": request_object(signer, claims)})
    pushed = oidc_app.test_client().post("/par", data=form)
    assert pushed.status_code == 400 and pushed.get_json()["error"] == "invalid_request_object"
    described = pushed.get_json()["error_description"]
    assert described.startswith(expected), described
    assert "check that your server's clock is right (NTP)" in described
