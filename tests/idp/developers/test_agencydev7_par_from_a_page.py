"""A single-page app (a public client, `token_endpoint_auth_method: none`) that pushes its
authorization request (RFC 9126, which public clients may use, section 2) from the page, as
oauth4webapi's `pushedAuthorizationRequest` does: discovery advertises
`pushed_authorization_request_endpoint`, a deployment may require it of every client
(`[oidc] require_pushed_authorization_requests`) and a portal may register
`require_pushed_authorization_requests: true`; yet `/par` answered no CORS preflight (405) and
no `Access-Control-Allow-Origin`, so the browser stopped the page there, and such a SPA could
not sign anyone in. `/par` now answers a page exactly as `/token` and `/revoke` do: only the
origins of that public client's redirect URIs, never a confidential client's page."""

from __future__ import annotations

from tests.idp.oidc.conftest import Flow, oidc_app, registered_agency, s256  # noqa: F401 - the fixture

SPA = "https://spa.example.gov"


def _pushed(agency, origin: str, client):
    flow = Flow()
    return client.post("/par", headers={"Origin": origin}, data={
        "client_id": agency.client_id, "response_type": "code", "redirect_uri": agency.redirect_uri,
        "scope": "openid", "state": flow.state, "nonce": flow.nonce,
        "code_challenge": s256(flow.verifier), "code_challenge_method": "S256"})


def test_a_page_of_a_public_client_may_push_its_request(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app, redirect_uris=[SPA + "/"], token_endpoint_auth_method="none")
    client = oidc_app.test_client()
    preflight = client.options("/par", headers={"Origin": SPA, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type, dpop"})
    assert preflight.status_code == 204, preflight.status_code
    assert preflight.headers["Access-Control-Allow-Origin"] == SPA
    assert "DPoP" in preflight.headers["Access-Control-Allow-Headers"]
    pushed = _pushed(agency, SPA, client)
    assert pushed.status_code == 201, pushed.get_json()
    assert pushed.headers["Access-Control-Allow-Origin"] == SPA and pushed.headers["Vary"] == "Origin"
    assert "DPoP-Nonce" in pushed.headers["Access-Control-Expose-Headers"]


def test_a_refusal_the_page_can_tie_to_its_client_is_readable(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app, redirect_uris=[SPA + "/"], token_endpoint_auth_method="none")
    client = oidc_app.test_client()
    refused = client.post("/par", headers={"Origin": SPA}, data={"client_id": agency.client_id,
                                                                 "response_type": "token"})
    assert refused.status_code == 400
    assert refused.headers["Access-Control-Allow-Origin"] == SPA


def test_another_origin_and_a_confidential_client_get_no_cors(oidc_app):  # noqa: F811
    public = registered_agency(oidc_app, redirect_uris=[SPA + "/"], token_endpoint_auth_method="none")
    client = oidc_app.test_client()
    elsewhere = _pushed(public, "https://elsewhere.example", client)
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    stranger = client.options("/par", headers={"Origin": "https://elsewhere.example",
                                               "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    confidential = registered_agency(oidc_app, redirect_uris=["https://portal.example.gov/cb"])
    form, headers = confidential.auth({"response_type": "code", "redirect_uri": "https://portal.example.gov/cb",
                                       "scope": "openid", "code_challenge": s256(Flow().verifier),
                                       "code_challenge_method": "S256"})
    answer = client.post("/par", data=form, headers={**headers, "Origin": "https://portal.example.gov"})
    assert answer.status_code == 201, answer.get_json()
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_openapi_and_the_guide_describe_it(oidc_app):  # noqa: F811
    from idp.developers.views import SOURCE

    document = oidc_app.test_client().get("/openapi.json").get_json()
    assert "204" in document["paths"]["/par"]["options"]["responses"]
    assert "`/token`, `/par` and `/revoke` answer with `Access-Control-Allow-Origin`" in SOURCE.read_text(
        encoding="utf-8")
