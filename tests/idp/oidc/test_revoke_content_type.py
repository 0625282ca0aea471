"""APIs answer JSON or nothing: RFC 7009 section 2.2's 200 and every OPTIONS reply carry no
content and so no Content-Type (a text/html one told the agency's client it got a page)."""

from __future__ import annotations

import pytest

from tests.idp.oidc.test_agency_tokens import agency, agency_token, basic  # noqa: F401


def _no_content(answer) -> None:
    assert answer.get_data() == b""
    assert "Content-Type" not in answer.headers, answer.headers.get("Content-Type")


def test_revocation_answers_200_without_content(client, agency):  # noqa: F811
    token = agency_token(client, agency)
    revoked = client.post("/revoke", data={"token": token, "token_type_hint": "access_token"}, headers=basic(agency))
    assert revoked.status_code == 200
    _no_content(revoked)
    assert revoked.headers["Cache-Control"] == "no-store"
    unknown = client.post("/revoke", data={"token": "never-issued"}, headers=basic(agency))
    assert unknown.status_code == 200
    _no_content(unknown)


def test_a_refused_revocation_is_json(client, agency):  # noqa: F811
    refused = client.post("/revoke", data={"token": "x"})
    assert refused.status_code in (400, 401)
    assert refused.mimetype == "application/json" and refused.get_json()["error"]


@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect", "/par", "/.well-known/openid-configuration",
                                  "/jwks.json"])
def test_options_on_an_api_has_no_page_type(client, path):
    answer = client.options(path)
    assert answer.status_code == 200
    assert "OPTIONS" in answer.headers["Allow"]
    _no_content(answer)


def test_the_userinfo_preflight_has_no_page_type(client):
    answer = client.options("/userinfo", headers={"Origin": "https://portal.example.gov",
                                                  "Access-Control-Request-Method": "GET"})
    assert answer.status_code == 204
    _no_content(answer)
