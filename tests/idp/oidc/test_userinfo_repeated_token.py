"""UserInfo's form-encoded POST (RFC 6750 section 2.2) with `access_token` given more than
once: refused (400 invalid_request, RFC 6749 section 3.1), by the direct route and the view
alike, instead of answering for the first value and ignoring the rest."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.idp.oidc.conftest import tokens_for
from tests.idp.oidc.test_direct_routes import FORM, Sent, same_answer


@pytest.mark.parametrize("order", ["valid_first", "valid_last", "twice_the_same"])
def test_a_repeated_access_token_is_invalid_request(client, register, citizen, order):
    token = tokens_for(client, register())["access_token"]
    values = {"valid_first": [token, "x"], "valid_last": ["x", token], "twice_the_same": [token, token]}[order]
    body = urlencode([("access_token", value) for value in values]).encode()
    refused = same_answer(client.application, lambda: Sent("POST", "/userinfo", {}, body, FORM))
    assert refused.status.startswith("400"), refused.body
    answer = json.loads(refused.body)
    assert answer["error"] == "invalid_request"
    assert "access_token is given more than once" in answer["error_description"]
    assert ("Cache-Control", "no-store") in refused.headers
    # A browser client reads the refusal as it reads an answer.
    assert ("Access-Control-Allow-Origin", "*") in refused.headers


def test_one_access_token_in_the_body_still_answers(client, register, citizen):
    token = tokens_for(client, register())["access_token"]
    body = urlencode({"access_token": token, "other": "x"}).encode()
    ok = same_answer(client.application, lambda: Sent("POST", "/userinfo", {}, body, FORM))
    assert ok.status == "200 OK" and json.loads(ok.body)["sub"]
