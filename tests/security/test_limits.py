"""Request size limits on every POST route, and X-Forwarded-* headers ignored without proxies."""

from __future__ import annotations

import io
import re

import pytest

from infra.config import get_settings
from infra.db import get_db
from infra.store import get_store
from infra.web.errors import API_PREFIXES
from tests.idp.conftest import csrf, enrol, post_json

# Routes that take a PDF: their limit is the document size plus the multipart framing.
UPLOADS = ("/verify", "/api/verify", "/account/sign")
FRAMING = 64 * 1024
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
                 "application/pdf")


def _routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT"}):
            found.append((method, re.sub(r"<(?:[^:>]+:)?[^>]+>", "x", rule.rule)))
    return sorted(found)


def _limit(app, path: str) -> int:
    settings = get_settings(app)
    if path == "/account/sign":
        return int(settings["documents"]["max_bytes"]) + FRAMING
    if path == "/api/documents/prepared":  # the PDF in base64 (4 characters per 3 bytes)
        return (int(settings["documents"]["max_bytes"]) + 2) // 3 * 4 + FRAMING
    if path in UPLOADS:
        return int(settings["verify"]["max_upload_bytes"]) + FRAMING
    return int(settings["server"]["max_body_bytes"])


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_post_route_refuses_an_oversized_body_with_413(client, signed_in):
    app = client.application
    if signed_in:
        enrol(client)
    failures = []
    for method, path in _routes(app):
        size = _limit(app, path) + 1
        for content_type in CONTENT_TYPES:
            response = client.open(path, method=method, data=b"0" * size, content_type=content_type,
                                   headers={"Authorization": "Bearer x"})
            if response.status_code != 413:
                failures.append(f"{method} {path} ({content_type}): {response.status_code}")
                continue
            if path.startswith(API_PREFIXES):
                body = response.get_json(silent=True) or {}
                if body.get("error") != "request_too_large" or not body.get("error_description"):
                    failures.append(f"{method} {path} ({content_type}): {body}")
    assert failures == []


def test_uploads_keep_their_larger_limit(client):
    """A PDF above [server] max_body_bytes but within the document limit is read, not refused."""
    enrol(client)
    size = 2 * int(get_settings(client.application)["server"]["max_body_bytes"])
    pdf = b"%PDF-1.7\n" + b"0" * size
    assert client.post("/api/verify", data=pdf, content_type="application/pdf").status_code == 422
    for path, field in (("/verify", "file"), ("/account/sign", "document")):
        response = client.post(path, data={field: (io.BytesIO(pdf), "big.pdf", "application/pdf")})
        assert response.status_code == 400, (path, response.status_code)  # the CSRF check, not the size


def test_a_body_without_content_length_is_cut_at_the_limit(client):
    """Chunked uploads (no Content-Length) are counted as they are read."""
    size = int(get_settings(client.application)["server"]["max_body_bytes"]) + 1
    for path, content_type in (("/token", "application/x-www-form-urlencoded"),
                               ("/api/documents", "application/json"),
                               ("/enrol", "application/x-www-form-urlencoded")):
        response = client.post(path, data=b"a=" + b"0" * size, content_type=content_type,
                               headers={"Transfer-Encoding": "chunked", "Authorization": "Bearer x"},
                               environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})
        assert response.status_code in (400, 401, 413), (path, response.status_code)
        assert response.status_code < 500


SPOOFED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
           "X-Forwarded-Port": "8443", "X-Forwarded-Prefix": "/evil", "Forwarded": "for=203.0.113.7;host=evil.example"}


def _challenges_until_refused(client, limit: int) -> list[int]:
    statuses = []
    for n in range(limit + 1):
        headers = {**SPOOFED, "X-Forwarded-For": f"198.51.100.{n}"}
        statuses.append(post_json(client, "/webauthn/authentication/options", {}, headers=headers).status_code)
    return statuses


def test_forwarded_headers_do_not_change_the_client_address_without_proxies(client):
    app = client.application
    assert int(get_settings(app)["server"]["proxy_hops"]) == 0
    limit = int(get_settings(app)["rate_limit"]["challenges"])
    # A new X-Forwarded-For on every request does not open a new rate-limit bucket.
    assert _challenges_until_refused(client, limit)[-1] == 429


def test_forwarded_headers_are_trusted_only_through_configured_proxies(app, backend, tmp_path):
    """The control: with one proxy hop the same requests each count for their own address."""
    from idp import create_app
    from tests.conftest import settings_for

    app = create_app(settings_for(backend, tmp_path, server={"proxy_hops": 1}))
    try:
        limit = int(get_settings(app)["rate_limit"]["challenges"])
        assert 429 not in _challenges_until_refused(app.test_client(), limit)
    finally:
        get_db(app).dispose()
        get_store(app).close()


def test_forwarded_headers_do_not_change_urls_or_cookies(client):
    discovery = client.get("/.well-known/openid-configuration", headers=SPOOFED)
    assert "evil" not in discovery.get_data(as_text=True) and "https://" not in discovery.get_data(as_text=True)
    page = client.get("/enrol", headers=SPOOFED)
    for cookie in page.headers.getlist("Set-Cookie"):
        assert "Secure" not in cookie and "evil" not in cookie
    enrol(client)
    response = client.get("/login?next=/account", headers=SPOOFED)
    assert "evil" not in response.headers.get("Location", "") and "evil" not in response.get_data(as_text=True)
    logout = client.post("/logout", data={"csrf_token": csrf(client, "/account")}, headers=SPOOFED)
    assert logout.status_code in (302, 303) and "evil" not in logout.headers["Location"]
    assert not logout.headers["Location"].startswith("https://")
