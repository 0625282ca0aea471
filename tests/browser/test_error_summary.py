"""The error summary in Chromium: focus moves to it, the title says "Error:", each link takes
the citizen to the field; the page stays accessible (axe-core) with the summary shown."""

from __future__ import annotations

import pytest

from tests.browser.flows import active_id, fill_enrolment, new_person, wrong_dui

pytestmark = pytest.mark.browser


def test_a_refused_enrolment_shows_a_focused_summary_linking_to_the_field(browser, server):
    browser.choose_language("en", then="/enrol")
    browser.new_device()
    fill_enrolment(browser, new_person(national_id=wrong_dui(4_892_613)))
    plain_title = browser.driver.title
    browser.one("#enrol-submit").click()

    summary = browser.wait_for("#form-error")
    browser.wait(lambda d: active_id(browser) == "form-error", "focus on the error summary")
    assert browser.driver.title == f"Error: {plain_title}"
    assert summary.find_element("css selector", "h2").text == "There is a problem"
    [link] = summary.find_elements("css selector", "li a")
    assert link.get_attribute("href").endswith("#national_id")
    assert link.text == browser.one("#national_id-error").text
    browser.assert_accessible()

    link.click()
    browser.wait(lambda d: active_id(browser) == "national_id", "focus on the field")
    assert browser.path == "/enrol"


def test_a_page_rendered_with_errors_focuses_its_summary(browser):
    browser.open("/recover")
    browser.fill(browser.wait_for("#national_id"), "00000000-0")
    browser.fill(browser.one("#code"), "AAAA-BBBB-CCCC")
    browser.one("#recover-submit").click()
    browser.wait(lambda d: active_id(browser) == "form-error", "focus on the error summary")
    assert browser.driver.title.startswith("Error: ")
    browser.assert_accessible()
