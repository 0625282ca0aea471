"""Before the enrolment form: a device that cannot keep a passkey itself is told the other
routes (phone by QR, security key, in person) before the citizen fills anything in."""

from __future__ import annotations

import pytest

from tests.browser.flows import message

pytestmark = pytest.mark.browser


def platform_available(browser) -> bool:
    return browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().then(done, () => done(null));")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_without_a_platform_authenticator_the_page_shows_the_routes_first(browser, server, lang):
    browser.new_device()
    browser.driver.remove_virtual_authenticator()
    browser.choose_language(lang, then="/enrol")
    routes = browser.wait_for("#enrol-routes")
    assert platform_available(browser) is False
    assert browser.one("#enrol-routes-why").text == message(server, "enrol.routes.no_platform", lang)
    for route, key in (("#route-phone", "enrol.routes.phone"), ("#route-key", "enrol.routes.security_key")):
        assert browser.one(route).is_displayed() and browser.one(route).text == message(server, key, lang)
    assert browser.one("#route-assisted").text.startswith(message(server, "enrol.routes.assisted", lang))
    # Before the form: the routes come first in the page's order.
    assert browser.driver.execute_script(
        "return !!(arguments[0].compareDocumentPosition(document.getElementById('enrol-form'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)", routes)
    browser.assert_accessible()


def test_with_a_platform_authenticator_the_routes_stay_hidden(browser):
    browser.new_device()
    browser.open("/enrol")
    browser.wait_for("form#enrol-form")
    assert platform_available(browser) is True
    # The check has run once the capability answer is in: give the page's own promise a turn.
    browser.driver.execute_async_script("setTimeout(arguments[0], 50)")
    assert not browser.one("#enrol-routes").is_displayed()
    need = browser.one("#enrol-need a")
    assert need.get_attribute("href").endswith("/help#need")
