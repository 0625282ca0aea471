"""Without JavaScript (turned off, blocked, or a browser that has none), every page that needs a
passkey says so before the citizen presses a button that would do nothing; the enrolment form
does not claim "your details are correct" before anything was typed."""

from __future__ import annotations

import pytest

from tests.browser.flows import enrol_on_new_device, message

pytestmark = pytest.mark.browser


def _scripts(browser, on: bool) -> None:
    browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not on})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_sign_in_and_enrolment_pages_say_a_passkey_needs_javascript(browser, server, lang):
    browser.choose_language(lang, then="/")
    _scripts(browser, on=False)
    needs = message(server, "passkey.needs_javascript", lang)
    for path in ("/login", "/enrol"):
        browser.open(path)
        notice = browser.wait_for("#needs-javascript")
        assert notice.is_displayed() and notice.text == needs, path
    # Nothing was sent yet: the form says nothing about the details being right.
    assert message(server, "enrol.needs_javascript", lang) not in browser.one("main").text


def test_the_account_and_confirmation_pages_say_a_passkey_needs_javascript(browser, server):
    enrol_on_new_device(browser)
    _scripts(browser, on=False)
    needs = message(server, "passkey.needs_javascript")
    for path in ("/account", "/account/reauth"):
        browser.open(path)
        assert browser.wait_for("#needs-javascript").text == needs, path
