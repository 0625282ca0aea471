"""`POST /token` with `grant_type=client_credentials` and a `resource`: an agency granted only
`indicators:read` was told "agency tokens are for the documents API only", an API it may not
even call. The refusal (`invalid_target`, RFC 8707 section 2) now names both agency APIs by
their scopes and says to send no `resource`; the guide's `invalid_target` row says so too."""

from __future__ import annotations

from idp.developers.views import SOURCE
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures


def test_a_resource_with_client_credentials_says_to_send_none(pki_app):  # noqa: F811
    from tests.idp.documents.conftest import register
    from tests.support.basic_auth import basic_auth

    web = pki_app.test_client()
    agency = register(pki_app, client_id="cifras", scope="openid indicators:read")
    answer = web.post("/token", data={"grant_type": "client_credentials", "scope": "indicators:read",
                                      "resource": "https://api.example.gob/"},
                      headers=basic_auth(agency.client_id, agency.secret))
    body = answer.get_json()
    assert answer.status_code == 400 and body["error"] == "invalid_target"
    assert "documents API only" not in body["error_description"]
    assert "indicators:read" in body["error_description"] and "send no resource" in body["error_description"]
    row = next(line for line in SOURCE.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `invalid_target`"))
    assert "`grant_type=client_credentials` send no `resource`" in row
