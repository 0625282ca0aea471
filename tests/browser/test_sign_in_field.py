"""The sign-in page's passkey field: shown only where the browser lists passkeys under it
(conditional mediation); elsewhere it would be a box that does nothing, so it is not there."""

from __future__ import annotations

import pytest

from infra.web.i18n import catalog
from tests.browser.flows import enrol_on_new_device, sign_out

pytestmark = pytest.mark.browser


def test_without_passkey_autofill_there_is_no_field_and_the_button_signs_in(browser):
    enrol_on_new_device(browser)
    sign_out(browser)  # the browser fixture runs with passkey autofill off
    browser.open("/login")
    browser.wait_for("button#passkey-signin")
    browser.driver.execute_async_script("setTimeout(arguments[0], 100)")  # the script has run
    assert not browser.one("#login-username").is_displayed()
    browser.one("button#passkey-signin").click()
    browser.wait_for_path("/account")


def test_with_passkey_autofill_the_field_says_what_it_does(browser, server):
    browser.new_device()  # no passkey here: the autofill request waits, the field stays
    browser.enable_passkey_autofill()
    browser.open("/login")
    field = browser.wait_for("#login-username")
    label = browser.one("label[for=login-username]").text
    assert label == catalog(server.app).get("login.username", "es")
    assert field.get_attribute("autocomplete") == "username webauthn"
    assert browser.one("#login-username-hint").text == catalog(server.app).get("login.username_hint", "es")
    browser.assert_accessible()
