"""An ID token or a refresh token sent where the access token goes is told which token to send
(review, agencydev14).

Sending the ID token to /userinfo (or an agency API) instead of the access token is a common
first mistake: it was refused with the JWT library's "typ must be 'at+jwt', got 'JWT'" (or,
for an RS256 ID token, "alg must be one of ES256, got 'RS256'"), and a refresh token with
"the access token is not a JWT issued by this provider": true, but neither said that the
token sent is not the access token nor which member of the token response to send."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import citizen, oidc_app, register, tokens_for  # noqa: F401 - the fixtures

SEND = ("send the access_token member of the token response, as 'Bearer <token>' (or 'DPoP <token>' with a "
        "DPoP proof)")
ID_TOKEN = ("this is not an access token: its typ is 'JWT', an ID token's (an access token's is 'at+jwt', "
            f"RFC 9068 section 2.1); {SEND}")
OPAQUE = (f"the access token is not a JWT issued by this provider (a refresh token is not one); {SEND}")


def _refused(client, path: str, token: str) -> str:
    answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401, answer.get_json()
    body = answer.get_json()
    assert body["error"] == "invalid_token", body
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    return body["error_description"]


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_an_id_token_at_userinfo_is_told_to_send_the_access_token(client, register, citizen, alg):  # noqa: F811
    agency = register(id_token_signed_response_alg=alg)
    issued = tokens_for(client, agency, scope="openid profile offline_access")
    assert _refused(client, "/userinfo", issued["id_token"]) == ID_TOKEN


def test_a_refresh_token_at_userinfo_is_told_to_send_the_access_token(client, register, citizen):  # noqa: F811
    issued = tokens_for(client, register(), scope="openid profile offline_access")
    assert _refused(client, "/userinfo", issued["refresh_token"]) == OPAQUE


def test_an_id_token_at_an_agency_api_is_told_to_send_the_access_token(client, register, citizen):  # noqa: F811
    issued = tokens_for(client, register(), scope="openid profile")
    assert _refused(client, "/api/indicators", issued["id_token"]) == ID_TOKEN


def test_the_access_token_itself_is_still_taken(client, register, citizen):  # noqa: F811
    issued = tokens_for(client, register(), scope="openid profile")
    answer = client.get("/userinfo", headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert answer.status_code == 200, answer.get_json()
