"""A form body that is not UTF-8 is refused as such, not read as an empty form.

werkzeug's form parser (and the direct routes, which parse as it does) gave no fields at all for
a body that does not decode as UTF-8, so a client sending `charset=ISO-8859-1` (or any latin-1
byte) was told "grant_type is required" (or "token is required"): the wrong fault to chase.
RFC 6749 appendix B: the body is application/x-www-form-urlencoded in UTF-8; anything else is
400 invalid_request saying so, at /token (direct and through Flask), /revoke, /introspect, /par."""

from __future__ import annotations

import json

import pytest

from tests.idp.oidc.test_direct_routes import FORM, Sent, basic, same_answer

LATIN1 = "grant_type=client_credentials&token=se\xf1or&client_id=x".encode("latin-1")


def _refusal(status: str, body: bytes) -> None:
    assert status.startswith("400"), status
    answer = json.loads(body)
    assert answer["error"] == "invalid_request", answer
    assert "UTF-8" in answer["error_description"], answer


@pytest.mark.parametrize("content_type", [FORM + "; charset=ISO-8859-1", FORM + "; charset=UTF-8", FORM])
def test_a_token_request_not_in_utf8_is_refused_as_such_on_both_paths(client, register, content_type):
    agency = register()
    answered = same_answer(client.application, lambda: Sent("POST", "/token", basic(agency), LATIN1, content_type))
    _refusal(answered.status, answered.body)


@pytest.mark.parametrize("path", ["/revoke", "/introspect", "/par"])
def test_other_form_endpoints_refuse_a_body_not_in_utf8(client, register, path):
    agency = register()
    response = client.post(path, data=LATIN1, headers=basic(agency),
                           content_type=FORM + "; charset=ISO-8859-1")
    _refusal(response.status, response.data)


def test_a_utf8_body_with_a_charset_is_still_read(client, register):
    agency = register()
    response = client.post("/revoke", data="token=se\u00f1or".encode("utf-8"), headers=basic(agency),
                           content_type=FORM + "; charset=UTF-8")
    assert response.status_code == 200, response.get_json()
