"""After signing out, the browser's back button shows none of the citizen's data: the account's
pages are sent with Cache-Control: no-store, so going back asks the server again, which sends
a signed-out visitor to the sign-in page (Chromium's back/forward cache keeps no such page once
the session cookie is gone)."""

from __future__ import annotations

import pytest

from tests.browser.flows import continue_to_account, enrol, new_person, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
def test_going_back_after_sign_out_shows_no_private_data(browser, server, lang):
    person = new_person(given_name="Rigoberta", family_name="Zelaya Quintanilla")
    browser.choose_language(lang, then="/")
    browser.new_device()
    enrol(browser, person)
    continue_to_account(browser)
    browser.open("/account/details")
    browser.wait_for("h1")
    assert person.national_id in browser.one("main").text
    browser.open("/account")
    browser.wait_for("ul#passkeys")
    sign_out(browser)
    for _ in range(4):  # /account, /account/details, /account, the recovery codes
        old_page = browser.current_page()
        browser.driver.back()
        browser.wait_for_new_page(old_page)
        shown = browser.driver.execute_script("return document.body.innerText")
        assert person.family_name not in shown and person.national_id not in shown, browser.full_path
        assert browser.path in ("/login", "/signed-out", "/"), browser.full_path
