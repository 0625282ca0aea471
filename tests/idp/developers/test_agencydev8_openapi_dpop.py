"""The OpenAPI document (`/openapi.json`) against the DPoP answers the provider really sends.
`/userinfo` listed only the bearer scheme, no `DPoP` header parameter and no headers on its
refusals, although every refusal carries `WWW-Authenticate` (a Bearer and a DPoP challenge,
RFC 6750 section 3, RFC 9449 section 7.1) and, to a request with a proof, `DPoP-Nonce`; `/token`
and `/par` answered `use_dpop_nonce` with a `DPoP-Nonce` header their description did not name,
and `/par` did not describe the `DPoP` header at all. A client generated from the document could
neither send a DPoP-bound token to /userinfo nor read the nonce to retry with."""

from __future__ import annotations

from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401
from tests.support.dpop import DpopKey

WATCHED = ("WWW-Authenticate", "DPoP-Nonce")


def _operation(client, path: str, method: str) -> tuple[dict, dict]:
    document = client.get("/openapi.json").get_json()
    return document, document["paths"][path][method]


def _check_described(client, path: str, method: str, answer) -> None:
    """The answer's status is described, with each challenge or nonce header it carries."""
    _, operation = _operation(client, path, method)
    described = operation["responses"].get(str(answer.status_code))
    assert described is not None, (path, method, answer.status_code)
    sent = [name for name in WATCHED if name in answer.headers]
    missing = [name for name in sent if name not in described.get("headers", {})]
    assert not missing, (path, method, answer.status_code, missing)


def _proof_parameter(operation: dict) -> bool:
    return any(p["in"] == "header" and p["name"] == "DPoP" for p in operation.get("parameters", []))


def test_userinfo_describes_the_dpop_scheme_the_challenge_names(client):
    document, operation = _operation(client, "/userinfo", "get")
    answer = client.get("/userinfo", headers={"Authorization": "DPoP not-a-token", "DPoP": "not-a-proof"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_dpop_proof"
    assert answer.headers["DPoP-Nonce"], dict(answer.headers)
    _check_described(client, "/userinfo", "get", answer)
    challenged = answer.headers["WWW-Authenticate"].split()[0]
    schemes = document["components"]["securitySchemes"]
    offered = {schemes[name]["scheme"].lower() for requirement in operation["security"] for name in requirement}
    assert challenged.lower() in offered, (challenged, offered)
    assert _proof_parameter(operation)


def test_userinfo_describes_the_challenge_without_a_token_and_with_a_bad_bearer(client):
    for method, call in (("get", client.get), ("post", client.post)):
        _, operation = _operation(client, "/userinfo", method)
        assert _proof_parameter(operation), method
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            answer = call("/userinfo", headers=headers)
            assert answer.status_code == 401 and "WWW-Authenticate" in answer.headers
            _check_described(client, "/userinfo", method, answer)


def test_token_and_par_describe_the_nonce_of_use_dpop_nonce(client, register):  # noqa: F811
    agency = register()
    pushed = {"response_type": "code", "redirect_uri": agency.redirect_uri, "scope": "openid",
              "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}
    for path, form in (("/token", {"grant_type": "authorization_code", "code": "nope",
                                   "redirect_uri": agency.redirect_uri, "code_verifier": "v" * 43}),
                       ("/par", pushed)):
        body, headers = agency.auth(form)
        headers["DPoP"] = DpopKey().proof("POST", f"http://localhost{path}")
        answer = client.post(path, data=body, headers=headers)
        assert answer.status_code == 400 and answer.get_json()["error"] == "use_dpop_nonce", answer.get_json()
        assert answer.headers["DPoP-Nonce"]
        _check_described(client, path, "post", answer)
        assert _proof_parameter(_operation(client, path, "post")[1]), path


def test_the_guide_says_the_document_describes_dpop():
    from idp.developers.views import SOURCE

    assert "the `bearer` and `dpop` security schemes, the `DPoP` header parameter" in SOURCE.read_text(encoding="utf-8")
