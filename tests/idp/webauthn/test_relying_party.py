"""The relying party's origin is the issuer's origin as a browser serialises it (RFC 6454
section 6.1; W3C WebAuthn Level 3 section 5.10.1 compares clientDataJSON.origin to it as a
string): scheme and host in lower case, no default port, no root-label dot. An issuer written
`https://id.example:443` or `https://id.example.` must not refuse every ceremony. The RP ID
stays the host."""

from __future__ import annotations

import pytest

from idp.webauthn.checks import ClientData, check_client_data
from idp.webauthn.relying_party import RelyingParty
from infra.config import load_settings


def _rp(issuer: str) -> RelyingParty:
    return RelyingParty.from_settings(load_settings(environ={"CEDULA_ISSUER": issuer}))


@pytest.mark.parametrize("issuer,origin,rp_id", [
    ("https://id.example", "https://id.example", "id.example"),
    ("https://id.example:443", "https://id.example", "id.example"),
    ("https://id.example:443/", "https://id.example", "id.example"),
    ("HTTPS://ID.Example:443/cedula", "https://id.example", "id.example"),
    ("https://id.example.", "https://id.example", "id.example"),
    ("https://id.example.:443", "https://id.example", "id.example"),
    ("https://id.example:8443", "https://id.example:8443", "id.example"),
    ("http://localhost:80", "http://localhost", "localhost"),
    ("http://localhost:8000", "http://localhost:8000", "localhost"),
    ("http://[::1]:8000", "http://[::1]:8000", "::1"),
])
def test_the_origin_is_serialised_as_a_browser_does(issuer, origin, rp_id):
    rp = _rp(issuer)
    assert rp.origin == origin
    assert rp.id == rp_id


def test_a_ceremony_from_the_browsers_origin_passes_with_an_explicit_default_port():
    rp = _rp("https://id.example:443")
    data = ClientData(raw=b"{}", type="webauthn.get", challenge=b"c", origin="https://id.example",
                      cross_origin=False, token_binding=None)
    check_client_data(data, expected_type="webauthn.get", expected_challenge=b"c", rp=rp)
