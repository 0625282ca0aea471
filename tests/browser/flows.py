"""What a citizen does through the pages: enrol, sign out, sign in, recover.

Each step drives the page contract (ids and names the pages promise) and waits for its
outcome explicitly; none sleeps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from selenium.webdriver.common.by import By

from infra.web.i18n import catalog
from tests.browser.chromium import Browser
from tests.support.national_ids import dui, dui_check_digit

_numbers = itertools.count(4_892_613)


def message(server, key: str, lang: str = "es") -> str:
    """The catalog text `key` in `lang` as the server's pages show it (there must be one)."""
    text = catalog(server.app).get(key, lang)
    assert text, f"no message {key!r}"
    return text


def active_id(browser: Browser) -> str:
    """The id of the element that has the focus."""
    return browser.driver.execute_script("return document.activeElement && document.activeElement.id")


def wrong_dui(number: int) -> str:
    """A well-formed DUI whose check digit is wrong."""
    digits = f"{number:08d}"
    return f"{digits}-{(int(dui_check_digit(digits)) + 1) % 10}"


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    birthdate: str  # ISO 8601, as <input type=date> reports it
    national_id: str
    email: str

    def fields(self) -> dict[str, str]:
        return {"given_name": self.given_name, "family_name": self.family_name,
                "birthdate": self.birthdate, "national_id": self.national_id,
                "email": self.email}


def new_person(**changes: str) -> Person:
    n = next(_numbers)
    values = {
        "given_name": "María José",
        "family_name": "Hernández Núñez",
        "birthdate": "1990-05-17",
        "national_id": dui(n),
        "email": f"maria.{n}@example.sv",
    }
    values.update(changes)
    return Person(**values)


ENROL_FIELDS = ("given_name", "family_name", "birthdate", "national_id", "email")


def fill_person(browser: Browser, form, person: Person, **instead: str) -> None:
    """Type the person's details into `form` (the enrolment or the reclaim form, whose fields
    have the same names); `instead` gives other values for some fields."""
    for name, value in {**person.fields(), **instead}.items():
        field = form.find_element(By.NAME, name)
        if name == "birthdate":
            assert field.get_attribute("type") == "date"
            browser.fill_date(field, value)
        else:
            browser.fill(field, value)


def fill_enrolment(browser: Browser, person: Person) -> None:
    browser.open("/enrol")
    fill_person(browser, browser.wait_for("form#enrol-form"), person)


def enrol(browser: Browser, person: Person) -> list[str]:
    """Enrol with a new passkey; returns the recovery codes the page shows once."""
    fill_enrolment(browser, person)
    browser.one("#enrol-submit").click()
    browser.wait_for_path("/account/recovery-codes")
    return recovery_codes(browser)


def recovery_codes(browser: Browser) -> list[str]:
    browser.wait_for("ol#recovery-codes")
    return [li.text.strip() for li in browser.all("ol#recovery-codes > li")]


def continue_to_account(browser: Browser) -> None:
    browser.wait_for("a#continue").click()
    browser.wait_for_path("/account")
    browser.wait_for("ul#passkeys")


def enrol_on_new_device(browser: Browser, person: Person | None = None) -> list[str]:
    """A new passkey device, enrolled as `person` (a new one by default), through the recovery
    codes to the account page; returns the recovery codes."""
    browser.new_device()
    codes = enrol(browser, person or new_person())
    continue_to_account(browser)
    return codes


def sign_out(browser: Browser) -> None:
    if browser.path != "/account":
        browser.open("/account")
    browser.wait_for("#sign-out").click()
    browser.wait_for_path("/signed-out")


def sign_in(browser: Browser, *, start: str = "/login", lands_on: str = "/account") -> None:
    """Sign in with a discoverable passkey from the `#passkey-signin` button."""
    browser.open(start)
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for_path(lands_on)


def passkey_items(browser: Browser):
    return browser.all("ul#passkeys > li.passkey")
