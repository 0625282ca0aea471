"""Registered URLs are URIs (RFC 3986: ASCII, no spaces) on real host names.

Their origin goes into the Content-Security-Policy of the provider's own pages (form-action of
the consent page, of the logout confirmation page): a "host" carrying `;` and a directive
("https://evil.example;frame-ancestors https://evil.example/x" as a post_logout_redirect_uri)
rewrote that policy, here letting another site frame the page; a non-ASCII host put bytes
in a header that HTTP/1.1 does not carry."""

from __future__ import annotations

import pytest

from clients.registry.metadata import ClientMetadataError, Permissions, validate_metadata

HOSTILE = (
    "https://evil.example;frame-ancestors https://evil.example/x",
    "https://evil.example;frame-ancestors/x",
    "https://ex\"ample.gov/x",
    "https://exa<mple.gov/x",
    "https://ex%61mple.gov/x",
    "https://日本.example/x",
    "https://portal.example.gov/caf\u00e9",
    "https://portal.example.gov/a\x7fb",
)


@pytest.mark.parametrize("uri", HOSTILE)
@pytest.mark.parametrize("field", ["post_logout_redirect_uris", "redirect_uris"])
def test_a_uri_that_is_not_one_or_whose_host_is_not_a_host_name_is_refused(field, uri):
    metadata = {"redirect_uris": ["https://portal.example.gov/cb"], field: [uri]}
    with pytest.raises(ClientMetadataError):
        validate_metadata(metadata, Permissions(operator=True))


@pytest.mark.parametrize("field", ["backchannel_logout_uri", "jwks_uri", "logo_uri", "client_uri"])
def test_single_urls_are_held_to_the_same_rule(field):
    metadata = {"redirect_uris": ["https://portal.example.gov/cb"],
                field: "https://portal.example.gov;frame-ancestors *"}
    with pytest.raises(ClientMetadataError):
        validate_metadata(metadata, Permissions(operator=True))


@pytest.mark.parametrize("uri", [
    "https://portal.example.gov/cb", "https://xn--80ak6aa92e.example/cb?x=1&y=%C3%A9",
    "https://portal.example.gov:8443/a;b", "https://portal.example.gov./cb", "http://localhost:8080/cb",
    "http://127.0.0.1:5000/cb", "http://[::1]:5000/cb", "https://my_portal.internal.example/cb",
])
def test_real_uris_are_still_accepted(uri):
    validated = validate_metadata({"redirect_uris": [uri], "post_logout_redirect_uris": [uri]},
                                  Permissions(operator=True))
    assert validated["redirect_uris"] == [uri] and validated["post_logout_redirect_uris"] == [uri]


@pytest.mark.parametrize("uri", [
    "com.example.app://evil.example;frame-ancestors/x", "com.example.app://a,b/x", "com.example.app://h\"x/y",
    "com.example.app://user@portal.example.gov/x", "com.example.app://portal.example.gov:99999/x",
])
def test_a_native_private_use_uri_is_held_to_the_same_rule_for_its_host(uri):
    """RFC 8252 section 7.1 redirect URIs of native apps: their origin goes into the same
    form-action (the consent page's answer), and they were accepted with any authority."""
    metadata = {"application_type": "native", "token_endpoint_auth_method": "none", "redirect_uris": [uri]}
    with pytest.raises(ClientMetadataError) as refused:
        validate_metadata(metadata, Permissions(operator=True))
    assert refused.value.error == "invalid_redirect_uri"


@pytest.mark.parametrize("uri", ["com.example.app:/oauth2redirect", "com.example.app:/cb?x=1",
                                 "com.example.app://callback/x", "gov.example.portal://portal.example.gov:8443/cb"])
def test_native_private_use_uris_are_still_accepted(uri):
    metadata = {"application_type": "native", "token_endpoint_auth_method": "none", "redirect_uris": [uri]}
    assert validate_metadata(metadata, Permissions(operator=True))["redirect_uris"] == [uri]
