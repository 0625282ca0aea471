"""RFC 9449 section 9: a resource server that requires DPoP nonces (oidc.dpop_require_nonce)
gives the nonce its next proof must carry in `DPoP-Nonce` on its answers, not only with
use_dpop_nonce, as /token and /userinfo do. The agencies' APIs (documents, prepared
documents, revocation, indicators) answered a DPoP-bound call without it: a portal learned the
nonce only from a refusal, so each time the nonce rolled over (oidc.dpop_nonce_seconds) its
next call was refused once, and a non-idempotent one (revoking a document) had to be sent
again. Their answers to a request carrying a proof now carry the nonce; a Bearer call gets
none (no proof: nothing to carry it)."""

from __future__ import annotations

from tests.idp.documents.conftest import register
from tests.idp.oidc.conftest import bearer
from tests.support.basic_auth import basic_auth
from tests.support.dpop import DpopKey

BASE = "http://localhost"


def _dpop_token(web, docs_app, key: DpopKey, scope: str) -> str:
    agency = register(docs_app, client_id="fapi-agency", scope=f"openid {scope}")
    for _ in range(2):  # once more with the nonce the first answer asks for (use_dpop_nonce)
        answer = web.post("/token", data={"grant_type": "client_credentials", "scope": scope},
                          headers={**basic_auth(agency.client_id, agency.secret),
                                   "DPoP": key.proof("POST", BASE + "/token")})
        key.remember(answer)
        if answer.status_code == 200:
            break
    assert answer.status_code == 200 and answer.get_json()["token_type"] == "DPoP", answer.get_json()
    return answer.get_json()["access_token"]


def _call(web, key: DpopKey, token: str, method: str, path: str):
    return getattr(web, method.lower())(path, headers={
        "Authorization": "DPoP " + token, "DPoP": key.proof(method, BASE + path, access_token=token)})


def test_a_successful_dpop_call_to_the_indicators_api_carries_the_nonce(web, docs_app):
    key = DpopKey()
    token = _dpop_token(web, docs_app, key, "indicators:read")
    answer = _call(web, key, token, "GET", "/api/indicators")
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers.get("DPoP-Nonce"), dict(answer.headers)
    key.remember(answer)  # the next proof carries it, and is taken
    assert _call(web, key, token, "GET", "/api/indicators").status_code == 200


def test_the_documents_apis_answers_to_a_dpop_call_carry_the_nonce(web, docs_app):
    key = DpopKey()
    token = _dpop_token(web, docs_app, key, "documents:issue")
    for method, path, status in (("GET", "/api/documents/nothing", 404),
                                 ("GET", "/api/documents/prepared/nothing", 404),
                                 ("POST", "/api/documents/nothing/revoke", 415)):  # taken; no JSON body
        answer = _call(web, key, token, method, path)
        assert answer.status_code == status, (method, path, answer.get_json())
        assert answer.headers.get("DPoP-Nonce"), (method, path, dict(answer.headers))
        key.remember(answer)  # the next proof carries it, and is taken


def test_a_bearer_call_gets_no_nonce(web, docs_app):
    agency = register(docs_app, client_id="plain-agency", scope="openid indicators:read")
    answer = web.post("/token", data={"grant_type": "client_credentials", "scope": "indicators:read"},
                      headers=basic_auth(agency.client_id, agency.secret))
    reply = web.get("/api/indicators", headers=bearer(answer.get_json()["access_token"]))
    assert reply.status_code == 200, reply.get_json()
    assert "DPoP-Nonce" not in reply.headers
