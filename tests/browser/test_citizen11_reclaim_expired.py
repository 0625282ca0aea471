"""An expired reclaim claim, in Chromium: when the claim's cookie is gone (its Max-Age over, 30
minutes after the details were checked), /reclaim/code leads to the reclaim form saying that the
request expired and to fill in the form again; before, the form was empty without a word. The
page stays accessible (axe) in both languages."""

from __future__ import annotations

import pytest

from tests.browser.flows import fill_person, message, new_person
from tests.browser.test_accessibility import check_page
from tests.browser.test_proofing import _register

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_expired_claim_is_told_on_the_reclaim_form(browser, server, lang):
    person = new_person()
    _register(server.app, person, f"registro.{person.national_id[:8]}@correo.example")
    browser.choose_language(lang, then="/reclaim")
    fill_person(browser, browser.wait_for("form#reclaim-form"), person)
    browser.one("#reclaim-submit").click()
    browser.wait_for_path("/reclaim/code")
    # What the browser does when the claim's Max-Age is over: it drops the claim's cookie.
    for cookie in browser.driver.get_cookies():
        if cookie["name"].endswith("cedula_reclaim"):
            browser.driver.delete_cookie(cookie["name"])
    browser.open("/reclaim/code")
    browser.wait_for_path("/reclaim")
    assert browser.wait_for_text("#claim-expired") == message(server, "reclaim.error.claim_expired", lang)
    browser.wait_for("form#reclaim-form")
    check_page(browser, lang)
