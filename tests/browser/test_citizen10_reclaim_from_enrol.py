"""Redundant entry (WCAG 2.2, 3.3.7): when enrolment is refused because the national ID is
already enrolled, the refusal sends the citizen to "Recover my identity number" (/reclaim), a
form asking the same five details again. The way there carries what was just typed into the
enrolment form, so the reclaim form opens filled in; before, it opened empty and the citizen
typed everything a second time. Nothing is sent to the civil register until the citizen
presses the reclaim form's own button."""

from __future__ import annotations

import pytest

from tests.browser.flows import ENROL_FIELDS, enrol_on_new_device, fill_enrolment, message, new_person
from tests.browser.test_accessibility import check_page
from tests.browser.test_proofing import _register

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_refused_enrolment_leads_to_a_reclaim_form_holding_what_was_typed(browser, server, lang):
    person = new_person()
    _register(server.app, person, f"registro.{person.national_id[:8]}@correo.example")
    enrol_on_new_device(browser, person)  # someone else enrolled with these details first
    browser.driver.delete_all_cookies()
    browser.new_device()
    browser.choose_language(lang, then="/enrol")
    fill_enrolment(browser, person)
    browser.one("#enrol-submit").click()
    assert message(server, "webauthn.error.enrolment_refused", lang) in browser.wait_for_text("#form-error")

    browser.one("#reclaim-link button").click()
    browser.wait_for_path("/reclaim")
    form = browser.wait_for("form#reclaim-form")
    typed = {name: form.find_element("name", name).get_property("value") for name in ENROL_FIELDS}
    assert typed == person.fields()
    assert browser.all(".field-error:not([hidden])") == [], "nothing was checked yet"
    assert browser.all("#form-error:not([hidden])") == []
    check_page(browser, lang)
    # The citizen checks the details and sends them: the claim goes on as from an empty form.
    browser.one("#reclaim-submit").click()
    browser.wait_for_path("/reclaim/code")


def test_the_reclaim_button_on_a_fresh_enrolment_page_opens_the_empty_form(browser, server):
    browser.open("/enrol")
    browser.wait_for("form#enrol-form")
    browser.one("#reclaim-link button").click()
    browser.wait_for_path("/reclaim")
    form = browser.wait_for("form#reclaim-form")
    assert [form.find_element("name", n).get_property("value") for n in ENROL_FIELDS] == [""] * 5
    assert browser.all(".field-error:not([hidden])") == []
    check_page(browser, "es")
