"""Enrol through the page with a passkey, keep the recovery codes, sign out, sign in, recover."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.chromium import Browser
from tests.browser.flows import (
    continue_to_account,
    enrol,
    enrol_on_new_device,
    fill_enrolment,
    message,
    new_person,
    passkey_items,
    sign_in,
    sign_out,
    wrong_dui,
)

pytestmark = pytest.mark.browser

ANY_ERROR = "#form-error, .field-error, [role=alert]"


def assert_sent_to_login(browser: Browser, next_path: str) -> None:
    browser.wait_for_path("/login")
    query = parse_qs(urlsplit(browser.driver.current_url).query)
    assert query.get("next") == [next_path], browser.driver.current_url


def test_enrol_shows_recovery_codes_once_then_the_account(browser):
    browser.new_device()
    codes = enrol(browser, new_person())

    assert len(codes) == 10
    assert len(set(codes)) == 10, codes
    assert all(code for code in codes)
    [passkey] = browser.passkeys()
    assert passkey.is_resident_credential
    assert passkey.rp_id == "localhost"

    continue_to_account(browser)
    assert browser.one("h1").text.strip()
    [item] = passkey_items(browser)
    assert item.get_attribute("data-credential-id") == passkey.id.rstrip("=")

    # The codes are shown once: coming back later shows none of them.
    browser.open("/account/recovery-codes")
    assert not browser.all("#recovery-codes")
    source = browser.driver.page_source
    assert not [code for code in codes if code in source]


def test_sign_out_then_sign_in_with_the_passkey(browser):
    enrol_on_new_device(browser)

    sign_out(browser)
    browser.open("/account")
    assert_sent_to_login(browser, "/account")

    username = browser.one("input#login-username")
    assert username.get_attribute("name") == "username"
    assert username.get_attribute("autocomplete") == "username webauthn"
    assert urlsplit(browser.one("a#recover-link").get_attribute("href")).path == "/recover"

    browser.wait_for("button#passkey-signin").click()
    browser.wait_for_path("/account")
    assert len(passkey_items(browser)) == 1


def test_sign_in_by_passkey_autofill(browser):
    enrol_on_new_device(browser)
    sign_out(browser)

    # The login page offers the passkey in the username field's autofill (conditional
    # mediation); Chromium's virtual authenticator picks it, as a person would.
    browser.enable_passkey_autofill()
    browser.open("/login?next=/account")
    browser.wait_for_path("/account")
    assert len(passkey_items(browser)) == 1


def test_sign_in_goes_to_next_and_never_off_site(browser):
    enrol_on_new_device(browser)

    sign_out(browser)
    sign_in(browser, start="/login?next=/", lands_on="/")

    sign_out(browser)
    for target in ("https://evil.example/", "//evil.example/account", "/\\evil.example"):
        sign_in(browser, start=f"/login?next={target}", lands_on="/account")
        assert urlsplit(browser.driver.current_url).hostname == "localhost"
        sign_out(browser)


def test_sign_in_without_a_passkey_for_this_site_shows_an_error(browser, server):
    browser.new_device()
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    assert browser.wait_for_text("#login-error")
    assert browser.path == "/login"
    browser.open("/account")
    assert_sent_to_login(browser, "/account")


def test_enrol_refuses_a_wrong_dui_check_digit(browser, server):
    browser.new_device()
    fill_enrolment(browser, new_person(national_id=wrong_dui(4_892_613)))
    browser.one("#enrol-submit").click()

    shown = browser.wait_for_text("#national_id-error")
    assert shown == message(server, "national_id.error.check")
    assert browser.path == "/enrol"
    assert browser.passkeys() == []  # refused before any passkey was made


def test_enrol_refuses_a_malformed_dui(browser, server):
    browser.new_device()
    fill_enrolment(browser, new_person(national_id="1234-5"))
    browser.one("#enrol-submit").click()

    shown = browser.wait_for_text("#national_id-error")
    assert shown == message(server, "national_id.error.format")
    assert browser.path == "/enrol"
    assert browser.passkeys() == []


def test_enrol_refuses_a_national_id_already_enrolled(browser):
    first = new_person()
    enrol_on_new_device(browser, first)
    sign_out(browser)

    browser.new_device()
    fill_enrolment(browser, new_person(national_id=first.national_id))
    browser.one("#enrol-submit").click()
    assert browser.wait_for_text("#national_id-error, #form-error")
    assert browser.path == "/enrol"
    browser.open("/account")
    assert_sent_to_login(browser, "/account")


def test_recover_with_a_code_then_add_a_passkey(browser):
    person = new_person()
    codes = enrol_on_new_device(browser, person)
    sign_out(browser)

    # The phone is lost: a new device, no passkey for this site.
    browser.new_device()
    browser.open("/recover")
    browser.fill(browser.wait_for("input[name=national_id]"),
                 person.national_id.replace("-", ""))
    browser.fill(browser.one("input[name=code]"), codes[0])
    browser.one("#recover-submit").click()
    browser.wait_for_path("/account")
    assert browser.wait_for_text("#recovery-notice")

    browser.wait_for("button#add-passkey").click()
    browser.wait(lambda _: len(passkey_items(browser)) == 2, "expected a second passkey")
    assert len(browser.passkeys()) == 1

    sign_out(browser)
    sign_in(browser)
    assert not browser.all("#recovery-notice")

    # A recovery code works once.
    sign_out(browser)
    browser.open("/recover")
    browser.fill(browser.wait_for("input[name=national_id]"), person.national_id)
    browser.fill(browser.one("input[name=code]"), codes[0])
    browser.one("#recover-submit").click()
    assert browser.wait_for_text(ANY_ERROR)
    browser.open("/account")
    assert_sent_to_login(browser, "/account")
