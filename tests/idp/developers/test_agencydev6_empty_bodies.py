"""An empty `POST /revoke` or `POST /introspect` (no body, no Content-Type) was answered "send
the parameters as application/x-www-form-urlencoded", which sends a developer after the
encoding instead of the missing parameter. No body at all is an empty form: the answer is 400
invalid_request "token is required" (RFC 7009 section 2.1, RFC 7662 section 2.1). A body of
another type is still refused as before."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401 - fixtures
from tests.support.basic_auth import basic_auth

WRONG_TYPE = {"error": "invalid_request",
              "error_description": "send the parameters as application/x-www-form-urlencoded"}


def _asks_for_the_token(answer) -> None:
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"
    assert answer.get_json()["error_description"].startswith("token is required (RFC ")


@pytest.fixture
def agency(register):  # noqa: F811
    return register()


@pytest.mark.parametrize("path", ["/revoke", "/introspect"])
def test_an_empty_body_asks_for_the_token(client, agency, path):
    headers = basic_auth(agency.client_id, agency.secret)
    empty = client.post(path, headers=headers)  # Content-Length: 0
    assert "CONTENT_TYPE" not in empty.request.environ or not empty.request.environ["CONTENT_TYPE"]
    _asks_for_the_token(empty)
    absent = client.post(path, headers=headers, environ_overrides={"CONTENT_LENGTH": ""})
    _asks_for_the_token(absent)


@pytest.mark.parametrize("path", ["/revoke", "/introspect"])
def test_a_body_of_another_type_is_still_refused(client, agency, path):
    headers = basic_auth(agency.client_id, agency.secret)
    as_json = client.post(path, headers=headers, json={"token": "x"})
    assert (as_json.status_code, as_json.get_json()) == (400, WRONG_TYPE)
    untyped = client.post(path, headers=headers, data=b"token=x")  # a body without its type
    assert (untyped.status_code, untyped.get_json()) == (400, WRONG_TYPE)
