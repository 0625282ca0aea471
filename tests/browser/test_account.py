"""The account page: sign-in required, passkeys listed, added, renamed and deleted (never the
last one), sign-out."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of

from tests.browser.chromium import Browser
from tests.browser.flows import (
    enrol_on_new_device,
    passkey_items,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser


def item_for(browser: Browser, credential_id: str) -> WebElement:
    return browser.wait_for(f'li.passkey[data-credential-id="{credential_id}"]')


def names(browser: Browser) -> dict[str, str]:
    return {li.get_attribute("data-credential-id"):
            li.find_element(By.CSS_SELECTOR, ".passkey-name").text.strip()
            for li in passkey_items(browser)}


def submit_in(form: WebElement) -> None:
    form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type]), "
                                       "input[type=submit]").click()


def accept_confirmation_if_any(browser: Browser) -> None:
    """A page may ask "are you sure?" with confirm(); say yes."""
    try:
        browser.driver.switch_to.alert.accept()
    except NoAlertPresentException:
        pass


def rename(browser: Browser, credential_id: str, name: str) -> None:
    form = item_for(browser, credential_id).find_element(By.CSS_SELECTOR, "form.rename-passkey")
    browser.fill(form.find_element(By.NAME, "name"), name)
    submit_in(form)
    browser.wait(lambda _: names(browser).get(credential_id) == name,
                 f"expected the passkey to be called {name!r}")


def test_account_requires_sign_in(browser):
    browser.open("/account")
    browser.wait_for_path("/login")
    assert parse_qs(urlsplit(browser.driver.current_url).query)["next"] == ["/account"]
    assert not browser.all("#passkeys")


def test_manage_passkeys(browser):
    enrol_on_new_device(browser)
    [first_id] = browser.passkey_ids()
    [first] = browser.passkeys()  # kept, to try it again once deleted

    # One passkey: it can be renamed, not deleted.
    item = item_for(browser, first_id)
    assert item.find_elements(By.CSS_SELECTOR, "form.rename-passkey")
    assert not browser.all("form.delete-passkey")

    # A second device adds its own passkey.
    browser.new_device()
    browser.wait_for("button#add-passkey").click()
    browser.wait(lambda _: len(passkey_items(browser)) == 2, "expected two passkeys")
    [second_id] = browser.passkey_ids()
    assert set(names(browser)) == {first_id, second_id}
    assert len(browser.all("form.delete-passkey")) == 2

    # Rename: the name is kept, and shown as text, never as markup.
    rename(browser, second_id, "Teléfono de María")
    browser.driver.refresh()
    assert names(browser)[second_id] == "Teléfono de María"
    rename(browser, first_id, "<b>Portátil</b> & co")
    assert not item_for(browser, first_id).find_elements(By.CSS_SELECTOR, ".passkey-name b")

    # Delete the first device's passkey; the last one left cannot be deleted.
    kept_delete_form = item_for(browser, second_id).find_element(
        By.CSS_SELECTOR, "form.delete-passkey").get_attribute("outerHTML")
    form = item_for(browser, first_id).find_element(By.CSS_SELECTOR, "form.delete-passkey")
    submit_in(form)
    accept_confirmation_if_any(browser)
    browser.wait_for("#confirm-button").click()  # the confirmation page says what will happen
    browser.wait(lambda _: list(names(browser)) == [second_id], "expected one passkey left")
    assert not browser.all("form.delete-passkey")
    browser.driver.refresh()
    assert list(names(browser)) == [second_id]
    assert not browser.all("form.delete-passkey")

    # Not even by posting the delete form kept from before: the provider refuses it too.
    heading = browser.one("h1")
    browser.driver.execute_script(
        "const t = document.createElement('template'); t.innerHTML = arguments[0];"
        "const form = t.content.firstElementChild; document.body.appendChild(form);"
        "form.submit();", kept_delete_form)
    browser.wait(staleness_of(heading), "expected the delete form to be posted")
    browser.wait_for("ul#passkeys")
    assert list(names(browser)) == [second_id]
    assert browser.wait_for_text("[role=alert]")

    # The remaining passkey signs in...
    sign_out(browser)
    sign_in(browser)

    # ...the deleted one no longer does, even from the device that still holds it.
    sign_out(browser)
    browser.new_device()
    browser.add_passkey(first)
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    assert browser.wait_for_text("#login-error")
    browser.open("/account")
    browser.wait_for_path("/login")


def test_sign_out_ends_the_session(browser):
    enrol_on_new_device(browser)
    form = browser.one("form#sign-out-form")
    assert form.get_attribute("method").lower() == "post"
    sign_out(browser)
    browser.open("/account")
    browser.wait_for_path("/login")
