"""ui_locales at /authorize (OIDC Core 1.0 section 3.1.2.1, advertised in ui_locales_supported):
the sign-in and consent pages of the request speak the language the agency asked for."""

from __future__ import annotations

import re

from tests.idp.oidc.conftest import Flow, authorize_url, decide, redirect_params


def _language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_consent_page_speaks_the_requested_language(client, register, citizen):
    agency = register()
    page = client.get(authorize_url(agency, Flow(), ui_locales="en-US en"))
    assert page.status_code == 200 and _language(page) == "en"
    assert redirect_params(decide(client, page), agency)["code"]
    assert _language(client.get(authorize_url(agency, Flow(), ui_locales="fr es", prompt="consent"))) == "es"


def test_the_sign_in_page_speaks_the_requested_language(oidc_app, register):
    agency = register()
    browser = oidc_app.test_client()  # nobody signed in
    response = browser.get(authorize_url(agency, Flow(), ui_locales="en"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert _language(browser.get(response.headers["Location"])) == "en"
    assert _language(browser.get(authorize_url(agency, Flow()), follow_redirects=True)) == "es"


def test_a_request_object_may_carry_ui_locales(client, register, citizen):
    from tests.idp.oidc.test_jar import authorize, request_claims, request_object

    signer = register(token_endpoint_auth_method="private_key_jwt")
    page = authorize(client, signer, request_object(signer, request_claims(signer, Flow(), ui_locales="en")))
    assert page.status_code == 200 and _language(page) == "en"
