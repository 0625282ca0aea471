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


def test_the_language_switch_wins_over_ui_locales_for_the_rest_of_the_request(oidc_app, register):
    """An agency asking for English, a citizen who reads Spanish: the switch on the sign-in page
    set the cookie, but every page of the request spoke ui_locales again, so «Español» did
    nothing. The citizen's choice now holds for the sign-in page and the pages after it."""
    from urllib.parse import quote

    agency = register()
    browser = oidc_app.test_client()  # nobody signed in
    login = browser.get(authorize_url(agency, Flow(), ui_locales="en")).headers["Location"]
    assert _language(browser.get(login)) == "en"
    switched = browser.get("/language/es?next=" + quote(login, safe=""))
    assert switched.status_code == 303
    assert _language(browser.get(switched.headers["Location"])) == "es"
    continue_path = login.split("next=", 1)[1]
    from urllib.parse import unquote
    assert _language(browser.get(unquote(continue_path), follow_redirects=True)) == "es"


def test_the_language_switch_on_the_consent_page_keeps_the_request_and_the_choice(client, register, citizen):
    """The consent page answered /authorize itself: its switch led back to /authorize with the
    agency's ui_locales, which began the request again in the agency's language."""
    import html

    agency = register()
    page = client.get(authorize_url(agency, Flow(), ui_locales="en"))
    assert _language(page) == "en"
    switch = html.unescape(re.search(r'<a href="(/language/es\?[^"]+)"', page.get_data(as_text=True)).group(1))
    switched = client.get(switch)
    assert switched.status_code == 303 and switched.headers["Location"].startswith("/authorize/continue?interaction=")
    again = client.get(switched.headers["Location"])
    assert again.status_code == 200 and _language(again) == "es"
    assert redirect_params(decide(client, again), agency)["code"]
