"""The account's groups in Chromium (issue 19): one navigation, usable at 320 px, axe-clean in
Spanish and English; deleting a passkey goes through its confirmation page."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.chromium import Browser
from tests.browser.flows import enrol_on_new_device, passkey_items
from tests.browser.test_accessibility import check_page
from tests.browser.test_accessibility_services import _metrics, _reset_metrics, assert_reflows

pytestmark = pytest.mark.browser

GROUPS = [("security", "/account"), ("details", "/account/details"), ("agencies", "/account/agencies"),
          ("documents", "/account/documents"), ("close", "/account/close")]


def _nav(browser: Browser) -> list[tuple[str, str | None]]:
    return [(a.get_attribute("data-group"), a.get_attribute("aria-current"))
            for a in browser.all("nav#account-nav a")]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_grouped_navigation_at_320_px(browser, lang):
    browser.choose_language(lang, then="/enrol")
    enrol_on_new_device(browser)
    for group, path in GROUPS:
        browser.open(path)
        browser.wait_for("nav#account-nav")
        assert _nav(browser) == [(name, "page" if name == group else None) for name, _ in GROUPS]
        _metrics(browser, 320, 800)
        try:
            links = browser.all("nav#account-nav a")
            assert all(link.is_displayed() and link.size["width"] <= 320 for link in links)
            check_page(browser, lang)
        finally:
            _reset_metrics(browser)
        assert_reflows(browser, f"account-{group}")
    # From one group to the next by the navigation itself.
    browser.open("/account")
    browser.one('nav#account-nav a[data-group="details"]').click()
    browser.wait_for_path("/account/details")
    assert browser.one('nav#account-nav a[aria-current="page"]').get_attribute("data-group") == "details"


def test_deleting_a_passkey_is_confirmed_first(browser):
    browser.choose_language("es", then="/enrol")
    enrol_on_new_device(browser)
    browser.new_device()
    browser.wait_for("button#add-passkey").click()
    browser.wait(lambda _: len(passkey_items(browser)) == 2, "expected two passkeys")
    first = passkey_items(browser)[0].get_attribute("data-credential-id")

    def ask() -> None:
        item = browser.wait_for(f'li.passkey[data-credential-id="{first}"]')
        item.find_element(By.CSS_SELECTOR, "form.delete-passkey button").click()
        browser.wait_for_path(f"/account/passkeys/{first}/delete")
        browser.wait_for("#confirm-form")

    ask()
    assert browser.one("#confirm-effects").text.strip() and browser.one("#confirm-instead").text.strip()
    _metrics(browser, 320, 800)
    try:
        check_page(browser, "es")
    finally:
        _reset_metrics(browser)
    assert_reflows(browser, "confirm-delete-passkey")
    browser.one("#confirm-cancel").click()  # "no, go back": nothing deleted
    browser.wait_for_path("/account")
    assert len(passkey_items(browser)) == 2

    ask()
    browser.one("#confirm-button").click()
    browser.wait_for_path("/account")
    browser.wait(lambda _: len(passkey_items(browser)) == 1, "expected one passkey left")
    assert browser.wait_for_text("[role=status]")
    assert not browser.all(f'li.passkey[data-credential-id="{first}"]')
