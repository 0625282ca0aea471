"""Security headers: the full set on pages, on API answers and on errors, each exactly once."""

from __future__ import annotations

import pytest

from infra.web.headers import SecurityHeaders, fixed_headers

CSP = "default-src 'none'; frame-ancestors 'none'"
EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def assert_full_set(response) -> None:
    for name, value in EVERY_ANSWER.items():
        assert response.headers.getlist(name) == [value], name
    csp = response.headers.getlist("Content-Security-Policy")
    assert len(csp) == 1 and "frame-ancestors 'none'" in csp[0] and "unsafe-inline" not in csp[0]
    assert len(response.headers.getlist("X-Request-Id")) == 1 and response.headers["X-Request-Id"]
    assert "Strict-Transport-Security" not in response.headers  # the test issuer is http


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/no-such-page", 404)], ids=["page", "error-page"])
def test_pages_and_error_pages_carry_the_full_set_and_no_store(client, path, status):
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    assert_full_set(response)
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_api_answers_carry_the_full_set(client):
    for response in (client.get("/healthz"), client.get("/.well-known/openid-configuration")):
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert_full_set(response)
    assert client.get("/.well-known/openid-configuration").headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("path", ["/userinfo", "/api/no-such-thing", "/token"])
def test_api_errors_carry_the_full_set_and_no_store(client, path):
    response = client.post(path) if path == "/token" else client.get(path)
    assert response.status_code >= 400 and response.mimetype == "application/json"
    assert_full_set(response)
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_webauthn_answers_are_never_stored(client):
    response = client.post("/webauthn/authentication/options", json={})
    assert_full_set(response)
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def _served(headers, path="/", *, hsts_seconds=None):
    def app(environ, start_response):
        start_response("200 OK", list(headers))
        return [b""]

    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["headers"] = response_headers

    middleware = SecurityHeaders(app, csp=CSP, fixed=fixed_headers(hsts_seconds=hsts_seconds))
    middleware({"PATH_INFO": path}, start_response)
    return seen["headers"]


def test_a_views_own_policy_and_cache_control_are_kept():
    headers = _served([("Content-Type", "image/png"), ("Content-Security-Policy", "default-src 'none'; sandbox"),
                       ("Cache-Control", "public, max-age=60")])
    assert [v for n, v in headers if n == "Content-Security-Policy"] == ["default-src 'none'; sandbox"]
    assert [v for n, v in headers if n == "Cache-Control"] == ["public, max-age=60"]


def test_a_views_value_for_our_headers_is_replaced_not_repeated():
    headers = _served([("Content-Type", "image/png"), ("x-frame-options", "SAMEORIGIN"),
                       ("X-Content-Type-Options", "nosniff")])
    assert [(n, v) for n, v in headers if n.lower() == "x-frame-options"] == [("X-Frame-Options", "DENY")]
    assert [v for n, v in headers if n.lower() == "x-content-type-options"] == ["nosniff"]
    assert ("Content-Security-Policy", CSP) in headers
    assert not any(n == "Cache-Control" for n, _ in headers)  # neither a page nor a private path


def test_no_store_on_pages_and_private_paths_only():
    assert ("Cache-Control", "no-store") in _served([("Content-Type", "text/html; charset=utf-8")])
    assert ("Cache-Control", "no-store") in _served([("Content-Type", "application/json")], "/account/x")
    assert ("Cache-Control", "no-store") in _served([("Content-Type", "application/json")], "//webauthn/x")
    assert ("Cache-Control", "no-store") not in _served([("Content-Type", "application/json")], "/jwks")


def test_hsts_on_https_only():
    assert ("Strict-Transport-Security", "max-age=31536000; includeSubDomains") in _served(
        [("Content-Type", "text/plain")], hsts_seconds=31536000)
    assert not any(n == "Strict-Transport-Security" for n, _ in _served([("Content-Type", "text/plain")]))


def _reference(path, view_headers, fixed, csp):
    """What the middleware added before it read the names in one pass: a dict of every
    lowercased name (the last value of a repeated one)."""
    names = {name.lower(): value for name, value in view_headers}
    ours = {name.lower() for name, _ in fixed}
    headers = list(view_headers)
    if not ours.isdisjoint(names):
        headers = [(name, value) for name, value in headers if name.lower() not in ours]
    headers.extend(fixed)
    if "content-security-policy" not in names:
        headers.append(("Content-Security-Policy", csp))
    if "cache-control" not in names and (
            path.startswith(("/webauthn/", "/account"))
            or names.get("content-type", "").partition(";")[0].strip().lower() == "text/html"):
        headers.append(("Cache-Control", "no-store"))
    return headers


@pytest.mark.parametrize("view_headers", [
    [], [("Content-Type", "application/json"), ("Content-Length", "12")],
    [("content-type", "TEXT/HTML ; charset=utf-8")], [("Content-Type", "text/html"), ("Content-Type", "image/png")],
    [("Content-Type", "image/png"), ("CONTENT-TYPE", "text/html")], [("content-security-policy", "sandbox")],
    [("Content-Type", "text/html"), ("cache-control", "max-age=5")], [("X-FRAME-OPTIONS", "SAMEORIGIN"),
                                                                     ("Referrer-Policy", "unsafe-url")],
    [("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Pragma", "no-cache"),
     ("X-Request-Id", "r1")],
])
@pytest.mark.parametrize("path", ["/token", "/account/x", "/webauthn/y", "/"])
@pytest.mark.parametrize("hsts_seconds", [None, 600])
def test_the_headers_added_are_those_a_dict_of_the_names_decided(view_headers, path, hsts_seconds):
    fixed = fixed_headers(hsts_seconds=hsts_seconds)
    assert _served(list(view_headers), path, hsts_seconds=hsts_seconds) == _reference(path, view_headers, fixed, CSP)
