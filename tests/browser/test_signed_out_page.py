"""Single logout in Chromium ends on a page that lists the agencies the citizen was signed
out of (issue 19), in es and en, accessible (axe-core) at 320 px."""

from __future__ import annotations

import pytest

from infra.web.i18n import catalog
from tests.browser.flows import enrol_on_new_device
from tests.signing.conftest import AGENCY_NAME

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_signed_out_page_lists_the_agencies(browser, server, agency, lang):
    enrol_on_new_device(browser)
    browser.choose_language(lang, then="/account")
    browser.open(agency.authorize_path())
    browser.wait_for("button[name=decision][value=allow]").click()
    browser.wait(lambda d: d.current_url.startswith(agency.redirect_uri), "expected the agency's callback")
    agency.redeem(browser.driver.current_url)

    browser.open("/end-session")  # no hint: the citizen confirms
    browser.wait_for("#logout-yes").click()
    agencies = browser.wait_for("#signed-out-agencies")
    assert [li.text for li in agencies.find_elements("css selector", "li")] == [AGENCY_NAME]
    assert browser.one("#signed-out-agencies-title").text == catalog(server.app).get(
        "logout.done.agencies_title", lang)
    browser.driver.set_window_size(320, 800)
    assert browser.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    browser.assert_accessible()
    browser.open("/account")
    browser.wait_for_path("/login")
