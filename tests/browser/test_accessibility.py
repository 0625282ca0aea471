"""Every page in Spanish and English passes axe-core's WCAG 2.0/2.1/2.2 A and AA rules with no
serious or critical violation, and enrolment works with the keyboard alone, focus visible."""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.chromium import REPO, Browser
from tests.browser.flows import (
    ENROL_FIELDS,
    continue_to_account,
    enrol,
    fill_enrolment,
    new_person,
    recovery_codes,
    wrong_dui,
)

pytestmark = pytest.mark.browser

LANGUAGES = ["es", "en"]
PUBLIC_PAGES = ["/", "/enrol", "/login", "/recover"]


def check_page(browser: Browser, lang: str) -> None:
    assert browser.lang() == lang
    assert browser.driver.title.strip(), "the page has no <title>"
    assert browser.all("h1"), "the page has no <h1>"
    browser.assert_accessible()
    assert browser.csp_violations() == []


def test_axe_is_injected_despite_the_strict_csp(browser, server):
    with urllib.request.urlopen(server.url + "/") as response:
        csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    browser.open("/")
    # The page itself refuses an inline script...
    ran = browser.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.cedulaInlineRan = true;';"
        "document.head.appendChild(s); return window.cedulaInlineRan === true;")
    assert ran is False
    assert any("Content Security Policy" in m for m in browser.csp_violations())
    # ...while WebDriver's script injection still loads axe-core and runs it.
    expected = json.loads((REPO / "node_modules/axe-core/package.json").read_text())["version"]
    assert browser.inject_axe() == expected
    assert isinstance(browser.axe_violations(), list)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(browser, path, lang):
    browser.choose_language(lang, then=path)
    assert browser.path == path
    check_page(browser, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_page(browser, lang):
    browser.choose_language(lang, then="/no-such-page")
    assert browser.one("h1").text.strip()
    assert browser.one("[role=alert]").text.strip()
    check_page(browser, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recovery_codes_and_account_pages(browser, lang):
    browser.choose_language(lang, then="/enrol")
    browser.new_device()
    codes = enrol(browser, new_person())
    assert len(codes) == 10
    check_page(browser, lang)
    continue_to_account(browser)
    check_page(browser, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_enrol_page_showing_a_field_error(browser, lang):
    browser.choose_language(lang, then="/enrol")
    browser.new_device()
    fill_enrolment(browser, new_person(national_id=wrong_dui(4_892_613)))
    browser.one("#enrol-submit").click()
    browser.wait_for_text("#national_id-error")
    check_page(browser, lang)


# --- keyboard ---------------------------------------------------------------------------

FOCUS_STATE = """
const el = arguments[0];
const style = getComputedStyle(el);
const rect = el.getBoundingClientRect();
const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
const hit = document.elementFromPoint(x, y);
return {
  focusVisible: el.matches(':focus-visible'),
  // After the date's segments, Tab stops on the calendar button inside the date input (in
  // the browser's own shadow tree, which draws that button's focus ring).
  browserControl: el.matches('input[type=date]') && !el.matches(':focus-visible'),
  outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  shadow: style.boxShadow !== 'none',
  inViewport: x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight,
  notObscured: hit !== null && (hit === el || el.contains(hit)),
  describe: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            (el.name ? '[name=' + el.name + ']' : ''),
};
"""


def assert_focus_visible(browser: Browser) -> str:
    """The focused element shows a focus indicator and is not hidden (WCAG 2.4.7, 2.4.11)."""
    element = browser.driver.switch_to.active_element
    state = browser.driver.execute_script(FOCUS_STATE, element)
    where = state["describe"]
    if state["browserControl"]:
        return where + " (calendar button)"
    assert state["focusVisible"], f"{where} has focus but does not match :focus-visible"
    assert state["outline"] or state["shadow"], f"{where} has no visible focus indicator"
    assert state["inViewport"] and state["notObscured"], f"{where} is focused but hidden"
    return where


def press(browser: Browser, *keys: str) -> None:
    ActionChains(browser.driver).send_keys(*keys).perform()


def tab_to(browser: Browser, target_id: str, limit: int = 40) -> list[str]:
    """Press Tab until the element `target_id` has focus; returns where focus went."""
    visited = []
    for _ in range(limit):
        press(browser, Keys.TAB)
        visited.append(assert_focus_visible(browser))
        if browser.driver.switch_to.active_element.get_attribute("id") == target_id:
            return visited
    raise AssertionError(f"Tab never reached #{target_id}; focus went to {visited}")


def test_enrol_with_the_keyboard_only(browser):
    browser.new_device()
    person = new_person()
    values = person.fields()
    browser.open("/enrol")
    browser.wait_for("form#enrol-form")

    typed: list[str] = []
    visited = []
    for _ in range(60):
        press(browser, Keys.TAB)
        visited.append(assert_focus_visible(browser))
        focused = browser.driver.switch_to.active_element
        if focused.get_attribute("id") == "enrol-submit":
            break
        name = focused.get_attribute("name")
        if name in values and name not in typed:
            # Tab puts focus on a date input's first segment; the digits fill it in order.
            keys = browser.date_keys(values[name]) if name == "birthdate" else values[name]
            press(browser, keys)
            typed.append(name)
    else:
        raise AssertionError(f"Tab never reached #enrol-submit; focus went to {visited}")

    assert typed == list(ENROL_FIELDS), f"fields reached in this order: {typed}"
    for name, value in values.items():
        field = browser.one(f"#enrol-form [name={name}]")
        assert field.get_property("value") == value, name

    press(browser, Keys.ENTER)
    browser.wait_for_path("/account/recovery-codes")
    assert len(recovery_codes(browser)) == 10

    tab_to(browser, "continue")
    press(browser, Keys.ENTER)
    browser.wait_for_path("/account")
    assert len(browser.passkeys()) == 1
