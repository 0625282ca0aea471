"""OCSP over HTTP GET against a live `cedula serve`, with a request `openssl ocsp` made and its
answer checked by `openssl ocsp -respin`: the base64 request URL-encoded (RFC 6960, A.1) or
not, and RFC 5019, 6.2's caching headers as a real HTTP server sends them."""

from __future__ import annotations

import base64
import re
import urllib.request
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest

from tests.keys.test_interop import _run, server  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.interop


def test_openssl_request_over_get_verifies_with_caching_headers(server):  # noqa: F811
    d, openssl = server["dir"], server["openssl"]
    _run(openssl, "ocsp", "-issuer", "issuing.pem", "-cert", "seal.pem", "-no_nonce",
         "-reqout", "get.req", cwd=d)
    encoded = base64.b64encode((d / "get.req").read_bytes()).decode()
    for path in (quote(encoded, safe=""), encoded):
        with urllib.request.urlopen(f"{server['base']}/pki/ocsp/{path}") as response:
            assert response.headers["Content-Type"] == "application/ocsp-response"
            headers = response.headers
            (d / "get.resp").write_bytes(response.read())
        out = _run(openssl, "ocsp", "-respin", "get.resp", "-issuer", "issuing.pem",
                   "-cert", "seal.pem", "-CAfile", "root.pem", "-resp_text", cwd=d)
        assert "Response verify OK" in out and "seal.pem: good" in out, out
        # max-age counts down while the responder reuses its response (60 s fresh; an answer
        # reused a second later says 59): never more than [ocsp] cache_seconds
        cached = re.fullmatch(r"max-age=(\d+), public, no-transform, must-revalidate", headers["Cache-Control"])
        assert cached and 0 < int(cached.group(1)) <= 60, headers["Cache-Control"]
        last_modified = parsedate_to_datetime(headers["Last-Modified"])
        expires = parsedate_to_datetime(headers["Expires"])
        assert (expires - last_modified).total_seconds() == 3600  # [ocsp] validity_seconds
        assert f"Produced At: {last_modified:%b %e %H:%M:%S %Y} GMT" in out, out
        assert headers["ETag"].startswith('"') and headers["Date"]
