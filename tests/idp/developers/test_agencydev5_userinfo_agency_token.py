"""An agency's developer with a client credentials token in hand (the one for the documents
API) calls `/userinfo` with it, or with a citizen's token asked for an API (`resource`): the
refusal said `aud must contain 'http://localhost', got 'http://localhost/api/documents'`, a
JWT library's words that do not say which token `/userinfo` takes. It now says what the
token is and which one to send (RFC 6750 section 3.1: `invalid_token`, 401)."""

from __future__ import annotations

from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures


def test_an_agency_token_at_userinfo_says_which_token_to_send(pki_app):  # noqa: F811
    from tests.idp.documents.conftest import agency_token, register
    from tests.idp.oidc.conftest import bearer

    web = pki_app.test_client()
    agency = register(pki_app, client_id="emisora", scope="openid documents:issue")
    token = agency_token(web, agency)
    answer = web.get("/userinfo", headers=bearer(token))
    assert answer.status_code == 401
    body = answer.get_json()
    assert body["error"] == "invalid_token"
    description = body["error_description"]
    assert "aud must contain" not in description
    assert "client credentials" in description and "authorization code" in description
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
