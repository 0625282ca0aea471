"""Identity proofing through the pages in Chromium (issue #12): a code sent to the civil
register's contact raises the identity to substantial; a squatted national ID is reclaimed.
Every page passes axe-core in Spanish and English."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of

from infra.db import get_db
from infra.notify import get_outbox
from tests.browser.flows import Person, enrol_on_new_device, fill_person, new_person
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser

LANGUAGES = ["es", "en"]


def _register(app, person: Person, email: str) -> None:
    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv

    text = ("national_id,given_name,family_name,birthdate,email,postal_address\n"
            f'{person.national_id},{person.given_name},{person.family_name},{person.birthdate},'
            f'{email},"Calle El Mirador 12\nSan Salvador"\n')
    with get_db(app).transaction() as session:
        import_csv(session, data=text.encode(), scheme=load_scheme("sv-dui"), now=datetime.now(UTC))


def _code(app, email: str) -> str:
    [message, *_] = get_outbox(app).messages(addresses=[email])
    return re.search(r"(\d{4} \d{4})", message.body).group(1)


def _proofing(app, national_id: str) -> tuple[str, str]:
    import sqlalchemy as sa

    from idp.assurance.services import proofing_of
    from idp.citizens.models import Citizen

    with get_db(app).read() as session:
        citizen_id = session.scalar(sa.select(Citizen.id).where(Citizen.national_id == national_id))
        return proofing_of(session, citizen_id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_register_code_makes_the_identity_substantial(browser, server, lang):
    person = new_person()
    email = f"registro.{person.national_id[:8]}@correo.example"
    _register(server.app, person, email)
    browser.choose_language(lang, then="/enrol")
    enrol_on_new_device(browser, person)
    assert _proofing(server.app, person.national_id) == ("low", "register_match")
    browser.open("/account/assurance")
    browser.wait_for("form#code-request")
    check_page(browser, lang)
    browser.one("form#code-request button[type=submit]").click()
    browser.wait_for("form#code-entry")
    assert browser.one("#code-outcome").get_attribute("role") == "status"
    check_page(browser, lang)
    # A wrong code: the error summary, focused, linked to the field; "Error:" in the title.
    code = _code(server.app, email)
    browser.fill(browser.one("#code"), "1111 1111" if code != "1111 1111" else "2222 2222")
    browser.one("form#code-entry button[type=submit]").click()
    summary = browser.wait_for("#form-error")
    browser.wait(lambda d: d.execute_script("return document.activeElement.id") == "form-error",
                 "focus on the error summary")
    assert browser.driver.title.startswith("Error: ")
    [link] = summary.find_elements(By.CSS_SELECTOR, "li a")
    assert link.get_attribute("href").endswith("#code")
    assert browser.one("#code").get_attribute("aria-invalid") == "true"
    check_page(browser, lang)
    browser.fill(browser.one("#code"), code)
    entry = browser.one("form#code-entry")
    entry.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The code-entry page already has an outcome region: wait for that page to go first.
    browser.wait(staleness_of(entry), "expected the code to be posted")
    browser.wait_for("#code-outcome")
    assert _proofing(server.app, person.national_id) == ("substantial", "register_channel")
    assert browser.all("form#code-entry") == []
    check_page(browser, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reclaiming_a_squatted_national_id(browser, server, lang):
    person = new_person()
    email = f"registro.{person.national_id[:8]}@correo.example"
    _register(server.app, person, email)
    # The impostor enrols first with the victim's details, on their own device.
    enrol_on_new_device(browser, person)
    browser.driver.delete_all_cookies()
    # The real holder, on another device: the enrolment page points to the way back.
    browser.new_device()
    browser.choose_language(lang, then="/enrol")
    browser.one("#reclaim-link button").click()
    browser.wait_for_path("/reclaim")
    check_page(browser, lang)
    form = browser.wait_for("form#reclaim-form")
    fill_person(browser, form, person, email="real.holder@example.sv")
    browser.one("#reclaim-submit").click()
    browser.wait_for_path("/reclaim/code")
    check_page(browser, lang)
    browser.one("form#code-request button[type=submit]").click()
    browser.wait_for("form#code-entry")
    check_page(browser, lang)
    browser.fill(browser.one("#code"), _code(server.app, email))
    browser.one("form#code-entry button[type=submit]").click()
    browser.wait_for("#reclaim-done")
    check_page(browser, lang)
    assert _proofing(server.app, person.national_id) == ("substantial", "register_channel")
    # Signed in just to create the passkey of the new account.
    browser.one("a.button-primary").click()
    browser.wait_for_path("/account")
    browser.wait_for("#recovery-notice")
