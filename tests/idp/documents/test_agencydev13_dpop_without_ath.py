"""A DPoP proof sent with an access token must carry `ath`, the base64url SHA-256 hash of that
token (RFC 9449 sections 4.2 and 7.1). A portal whose DPoP library makes the same proof for the
token endpoint and for the APIs (no `ath`) was told "the DPoP proof's ath is not the hash of this
access token": a claim it never sent, and no word of what `ath` must be. The refusal now says
that the claim is missing, or wrong, and what to put in it."""

from __future__ import annotations

from tests.idp.documents.conftest import register
from tests.support.basic_auth import basic_auth
from tests.support.dpop import DpopKey

URL = "http://localhost/api/documents/prepared/nothing"


def _dpop_token(web, docs_app, key: DpopKey) -> str:
    agency = register(docs_app, client_id="fapi-agency", scope="openid documents:issue")
    for _ in range(2):  # once more with the nonce the first answer asks for (use_dpop_nonce)
        answer = web.post("/token", data={"grant_type": "client_credentials", "scope": "documents:issue"},
                          headers={**basic_auth(agency.client_id, agency.secret),
                                   "DPoP": key.proof("POST", "http://localhost/token")})
        key.remember(answer)
        if answer.status_code == 200:
            break
    assert answer.status_code == 200 and answer.get_json()["token_type"] == "DPoP", answer.get_json()
    return answer.get_json()["access_token"]


def _refusal(web, token: str, proof: str) -> str:
    answer = web.get(URL, headers={"Authorization": "DPoP " + token, "DPoP": proof})
    assert answer.status_code == 401, answer.get_json()
    body = answer.get_json()
    assert body["error"] == "invalid_dpop_proof"
    assert body["error_description"] in answer.headers["WWW-Authenticate"]
    return body["error_description"]


def test_a_proof_without_ath_is_told_so_and_what_ath_is(web, docs_app):
    key = DpopKey()
    token = _dpop_token(web, docs_app, key)
    said = _refusal(web, token, key.proof("GET", URL))  # no access_token: no ath
    assert "has no ath" in said, said
    assert "SHA-256" in said and "RFC 9449" in said, said


def test_a_proof_with_another_tokens_ath_is_told_what_ath_must_be(web, docs_app):
    key = DpopKey()
    token = _dpop_token(web, docs_app, key)
    said = _refusal(web, token, key.proof("GET", URL, access_token="another-token"))
    assert "is not the hash of this access token" in said, said
    assert "SHA-256" in said and "Authorization" in said, said


def test_the_right_ath_is_taken(web, docs_app):
    key = DpopKey()
    token = _dpop_token(web, docs_app, key)
    answer = web.get(URL, headers={"Authorization": "DPoP " + token,
                                   "DPoP": key.proof("GET", URL, access_token=token)})
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found", answer.get_json()
