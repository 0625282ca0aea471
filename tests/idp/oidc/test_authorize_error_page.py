"""A request /authorize cannot answer by redirect (RFC 6749 section 4.1.2.1) is a page for the
citizen: plain words and what to do next, never the protocol's (parameter names, error codes);
the technical sentence is for the agency's developers, in the log."""

from __future__ import annotations

import logging

import pytest

from infra.web.i18n import catalog
from tests.idp.oidc.conftest import Flow, authorize_url

TECHNICAL = ("client_id", "redirect_uri", "request_uri", "invalid_request", "RFC", "lang=\"en\"", "Detalle técnico",
             "Technical detail")


def refusal_logged(caplog) -> str:
    """The technical sentence of the last /authorize refusal answered with a page, as logged."""
    refused = [r for r in caplog.records if r.getMessage() == "authorization request refused with a page"]
    assert refused, "no refusal logged"
    return str(refused[-1].error_description)


def _plain(page: str) -> str:
    """The page's main content (the language switch links back to the request as it came)."""
    main = page[page.index("<main"):page.index("</main>")]
    return main.replace("&#39;", "'").replace("&#34;", '"')


@pytest.mark.parametrize("case", ["unknown client", "no client", "foreign redirect_uri", "two redirect_uris",
                                  "unknown request_uri"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_page_speaks_plainly_and_the_log_keeps_the_detail(client, oidc_app, register, caplog, case, lang):
    agency = register()
    url = {
        "unknown client": authorize_url(agency, Flow(), client_id="nobody"),
        "no client": authorize_url(agency, Flow(), client_id=None),
        "foreign redirect_uri": authorize_url(agency, Flow(), redirect_uri="https://evil.example/cb"),
        "two redirect_uris": authorize_url(agency, Flow()) + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
        "unknown request_uri": f"/authorize?client_id={agency.client_id}"
                               "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Anone",
    }[case]
    with caplog.at_level(logging.WARNING, logger="idp.oidc.views"):
        response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == 400 and "Location" not in response.headers
    page = _plain(response.get_data(as_text=True))
    for word in TECHNICAL:
        assert word not in page, f"{case} [{lang}]: {word!r} shown to the citizen"
    texts = catalog(oidc_app)
    key = "oidc.error.expired" if case == "unknown request_uri" else "oidc.error.unsafe"
    assert texts.get(key, lang) in page
    assert refusal_logged(caplog)  # the detail, for the agency's developers


def test_a_replayed_request_object_says_the_link_was_used(client, oidc_app, register, citizen):
    from tests.idp.oidc.test_jar import authorize, request_claims, request_object

    signer = register(token_endpoint_auth_method="private_key_jwt",
                      redirect_uris=["https://portal.example.gov/callback"])
    token = request_object(signer, request_claims(signer, Flow()))
    authorize(client, signer, token)
    again = client.get(f"/authorize?client_id={signer.client_id}&request={token}",
                       headers={"Accept-Language": "en"})
    assert again.status_code == 400
    assert catalog(oidc_app).get("oidc.error.expired", "en") in _plain(again.get_data(as_text=True))
