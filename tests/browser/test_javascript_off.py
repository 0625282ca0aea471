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


def test_the_registrars_security_key_step_says_it_needs_javascript(browser, server, tmp_path, monkeypatch):
    """The assisted enrolment's security key route runs a passkey ceremony in the registrar's
    browser; without JavaScript its button did nothing and nothing said why (the phone route,
    a plain form, still works)."""
    from tests.browser.test_reflow import _account_state, _everyone

    _everyone(browser, server, tmp_path, monkeypatch)  # a registrar, signed in
    enrolled = _account_state(server, spare_passkey=False)["enrolled"]
    _scripts(browser, on=False)
    browser.open(f"/registrar/enrolments/{enrolled}")
    notice = browser.wait_for("#key-route #needs-javascript")
    assert notice.text == message(server, "registrar.enrolment.key.needs_javascript")
    # Before the button that would do nothing, and naming the route that works without it.
    assert browser.driver.execute_script(
        "return arguments[0].compareDocumentPosition(document.getElementById('key-submit'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING", notice)
    assert browser.one("#phone-submit").is_displayed()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_code_pages_say_before_a_code_is_spent_that_the_new_passkey_needs_javascript(browser, server, lang):
    """A recovery code (or a service office's code) signs in once, to add a new passkey, which
    needs JavaScript: without it the code was spent for nothing, and nothing had said so."""
    browser.choose_language(lang, then="/")
    _scripts(browser, on=False)
    needs = message(server, "passkey.needs_javascript_before_code", lang)
    for path, submit in (("/recover", "#recover-submit"), ("/bind", "#bind-submit")):
        browser.open(path)
        notice = browser.wait_for("#needs-javascript")
        assert notice.text == needs, path
        assert browser.driver.execute_script(
            "return arguments[0].compareDocumentPosition(document.querySelector(arguments[1]))"
            " & Node.DOCUMENT_POSITION_FOLLOWING", notice, submit), f"{path}: after the button"
