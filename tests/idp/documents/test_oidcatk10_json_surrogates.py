"""JSON lets a string hold a lone surrogate ("\\ud800"), which is not a character: UTF-8 cannot
carry it, so no database driver can be sent it. The JSON APIs' one body reader
(infra.web.jsonapi.json_body) refused a NUL but passed a lone surrogate on: an agency's
`POST /api/documents` naming the subject "\\ud800" was looked up as sent and answered 500
server_error on SQLite and PostgreSQL. Now such a body is 400 invalid_request, saying why."""

from __future__ import annotations

import json

import pytest

from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing import samples


@pytest.mark.parametrize("where", ["subject", "member name"])
def test_a_lone_surrogate_in_an_issue_request_is_invalid_request(web, agency, signed_in, where):
    _, sub = signed_in
    body = {"template": "birth", "subject": "\ud800" if where == "subject" else sub,
            "data": samples.SAMPLES["birth"]}
    if where == "member name":
        body["data"] = {**samples.SAMPLES["birth"], "\udc00": "x"}
    response = web.post("/api/documents", data=json.dumps(body), content_type="application/json",
                        headers=bearer(agency_token(web, agency)))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_request"
    assert "surrogate" in response.get_json()["error_description"]
