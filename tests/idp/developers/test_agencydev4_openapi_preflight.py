"""An agency developer reads /openapi.json to learn what a single-page app may call: the CORS
preflights that /token, /revoke and /userinfo answer are described there, with the status and
the headers the provider really sends (they were missing: only POST and GET were described)."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import oidc_app, registered_agency  # noqa: F401 - the fixture

SPA = "https://spa.example.gov"


def _cors(answer) -> set[str]:
    """The headers of the CORS contract a page relies on (not the security headers of every answer)."""
    return {name for name, _value in answer.headers if name.startswith("Access-Control-") or name in ("Allow", "Vary")}


def _preflight(client, path: str, origin: str, method: str):
    return client.options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "dpop"},
    )


def _described(document: dict, path: str, status: int) -> set[str]:
    operation = document["paths"][path].get("options")
    assert operation is not None, f"OPTIONS {path} is answered but not in /openapi.json"
    response = operation["responses"].get(str(status))
    assert response is not None, (path, status, sorted(operation["responses"]))
    return set(response.get("headers", {}))


@pytest.mark.parametrize(("path", "method"), [("/token", "POST"), ("/revoke", "POST"), ("/userinfo", "GET")])
def test_every_cors_preflight_is_described_with_the_headers_it_sends(oidc_app, path, method):  # noqa: F811
    registered_agency(oidc_app, redirect_uris=[SPA + "/"], token_endpoint_auth_method="none")
    client = oidc_app.test_client()
    document = client.get("/openapi.json").get_json()
    for origin in (SPA, "https://elsewhere.example"):
        answer = _preflight(client, path, origin, method)
        described = _described(document, path, answer.status_code)
        sent = _cors(answer)
        assert sent <= described, (path, origin, sorted(sent - described))
    allowed = _preflight(client, path, SPA, method)
    assert allowed.headers["Access-Control-Allow-Origin"] in (SPA, "*")
    plain = client.options(path)
    assert "Allow" in _described(document, path, plain.status_code)


def test_the_preflight_description_names_what_a_page_may_send(oidc_app):  # noqa: F811
    from infra.web.cors import BROWSER_CLIENT_HEADERS

    client = oidc_app.test_client()
    registered_agency(oidc_app, redirect_uris=[SPA + "/"], token_endpoint_auth_method="none")
    document = client.get("/openapi.json").get_json()
    for path in ("/token", "/revoke"):
        headers = document["paths"][path]["options"]["responses"]["204"]["headers"]
        sent = _preflight(client, path, SPA, "POST").headers["Access-Control-Allow-Headers"]
        assert sent == BROWSER_CLIENT_HEADERS
        assert BROWSER_CLIENT_HEADERS in headers["Access-Control-Allow-Headers"]["description"]
