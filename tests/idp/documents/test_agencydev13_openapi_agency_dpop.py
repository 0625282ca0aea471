"""The OpenAPI document (`/openapi.json`) against the agencies' APIs as a FAPI 2.0 portal calls
them. A portal registered for `documents:issue` follows FAPI 2.0 by default and calls every
operation of the documents API (and `/api/indicators`) with `Authorization: DPoP <token>` and a
`DPoP` proof (docs/agencies.md section 7), and the answers challenge with both schemes. Yet the
document offered only the `bearer` security scheme on each of these operations, named the `DPoP`
header only on the two `POST`s that issue and prepare (not on `GET`/`DELETE` of a document, the
PDF, the revocation or the indicators), and described the `401`/`403` refusals without the
`WWW-Authenticate` challenge and `DPoP-Nonce` they carry: a client generated from it could not
send the DPoP-bound token these APIs require, nor read the nonce to retry with, as agencydev8
found for `/userinfo`."""

from __future__ import annotations

from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import bearer
from tests.support.dpop import DpopKey

WATCHED = ("WWW-Authenticate", "DPoP-Nonce")
AGENCY_APIS = ("/api/documents", "/api/indicators")


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    """Every operation of the agencies' APIs that takes a token."""
    return [(path, method, operation) for path, operations in sorted(document["paths"].items())
            if path.startswith(AGENCY_APIS) for method, operation in operations.items()
            if "security" in operation]


def _concrete(path: str) -> str:
    return path.replace("{id}", "x").replace("{document_id}", "x")


def _check_described(operation: dict, where: tuple[str, str], answer) -> None:
    described = operation["responses"].get(str(answer.status_code))
    assert described is not None, (where, answer.status_code)
    sent = [name for name in WATCHED if name in answer.headers]
    assert sent, (where, dict(answer.headers))
    missing = [name for name in sent if name not in described.get("headers", {})]
    assert not missing, (where, answer.status_code, missing)


def test_every_agency_operation_offers_the_dpop_scheme_and_the_proof_header(web):
    document = web.get("/openapi.json").get_json()
    operations = _operations(document)
    assert {path for path, _, _ in operations} >= {
        "/api/documents", "/api/documents/{id}", "/api/documents/{id}/pdf", "/api/documents/prepared",
        "/api/documents/prepared/{id}", "/api/documents/{document_id}/revoke", "/api/indicators"}
    schemes = document["components"]["securitySchemes"]
    for path, method, operation in operations:
        offered = {schemes[name]["scheme"].lower() for requirement in operation["security"]
                   for name in requirement}
        assert offered == {"bearer", "dpop"}, (path, method, offered)
        assert any(parameter["in"] == "header" and parameter["name"] == "DPoP"
                   for parameter in operation.get("parameters", [])), (path, method)


def test_the_refusals_describe_the_challenge_and_nonce_they_carry(web, docs_app):
    reader = register(docs_app, client_id="reader-agency", scope="openid indicators:read")
    other_scope = agency_token(web, reader, scope="indicators:read")
    document = web.get("/openapi.json").get_json()
    for path, method, operation in _operations(document):
        url = _concrete(path)
        call = getattr(web, method)
        proof = DpopKey().proof(method.upper(), "http://localhost" + url)
        refused = call(url, headers={"Authorization": "DPoP not-a-token", "DPoP": proof})
        assert refused.status_code == 401, (path, method, refused.get_json())
        _check_described(operation, (path, method), refused)
        if path != "/api/indicators":  # a token without documents:issue
            lacking = call(url, headers=bearer(other_scope))
            assert lacking.status_code == 403 and lacking.get_json()["error"] == "insufficient_scope"
            _check_described(operation, (path, method), lacking)
