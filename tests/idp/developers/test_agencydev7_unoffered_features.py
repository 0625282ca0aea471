"""Registration members for features Cédula does not offer, which it accepted with `201` and
silently dropped: `tls_client_certificate_bound_access_tokens: true` (RFC 8705 section 3.4: the
portal believes its access tokens are bound to its TLS certificate, and gets bearer tokens
anyone holding them can use) and `frontchannel_logout_uri` (OpenID Connect Front-Channel Logout
1.0: the portal waits for logout calls that never come, and keeps a signed-out citizen's
session). Discovery advertises neither (no `tls_client_certificate_bound_access_tokens`, no
`frontchannel_logout_supported`). They are now refused with `400 invalid_client_metadata`
naming the member and what to use instead (DPoP, back-channel logout), as
`userinfo_signed_response_alg` is (test_agencydev6_unsupported_metadata.py)."""

from __future__ import annotations

import pytest

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}
REFUSED = [("tls_client_certificate_bound_access_tokens", True, "dpop_bound_access_tokens"),
           ("frontchannel_logout_uri", "https://hacienda.example.gov/fc", "backchannel_logout_uri"),
           ("frontchannel_logout_session_required", True, "backchannel_logout_uri")]


@pytest.mark.parametrize(("member", "value", "instead"), REFUSED)
def test_a_feature_cedula_does_not_offer_is_refused_saying_what_to_use(client, initial, member, value, instead):
    refused = client.post("/register", json={**METADATA, member: value}, headers=initial)
    assert refused.status_code == 400, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "invalid_client_metadata"
    assert body["error_description"].startswith(f"{member}: "), body
    assert instead in body["error_description"], body


def test_asking_for_no_certificate_binding_is_still_accepted(client, initial):
    created = client.post("/register", json={**METADATA, "tls_client_certificate_bound_access_tokens": False},
                          headers=initial)
    assert created.status_code == 201, created.get_json()


def test_discovery_advertises_neither(client):
    document = client.get("/.well-known/openid-configuration").get_json()
    assert not document.get("tls_client_certificate_bound_access_tokens")
    assert not document.get("frontchannel_logout_supported")


def test_the_guide_says_they_are_refused_and_what_to_use():
    from idp.developers.views import SOURCE

    guide = SOURCE.read_text(encoding="utf-8")
    assert "`tls_client_certificate_bound_access_tokens: true` and `frontchannel_logout_uri` are refused" in guide
