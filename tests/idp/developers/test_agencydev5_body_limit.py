"""A body above 1 MiB (`[server] max_body_bytes`) at the protocol endpoints: `/token`, `/par`,
`/register`, `/introspect`, `/revoke` and `/userinfo` answer `413 request_too_large` (a JSON
error an agency's code switches on), but the guide's table of errors listed that code only
under `/api/*`: a portal sending a huge request object or JWK Set met a code its developer had
been told it could not get there."""

from __future__ import annotations

import pytest

from tests.idp.developers.test_guide_errors import _documented_at

BODY = b"grant_type=authorization_code&code=" + b"a" * (1024 * 1024 + 1)


@pytest.mark.parametrize("endpoint", ["/token", "/par", "/register", "/introspect", "/revoke", "/userinfo"])
def test_an_oversized_body_is_a_documented_413(client, endpoint):
    answer = client.post(endpoint, data=BODY, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 413
    error = answer.get_json()["error"]
    assert error == "request_too_large"
    assert _documented_at(error, endpoint), f"{error} is not in the guide's table for {endpoint}"
