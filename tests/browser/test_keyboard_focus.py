"""With the keyboard only, at 320 CSS px: Tab goes through every control of the page and comes
back round (no keyboard trap, WCAG 2.1.2), and each control it reaches shows its focus (2.4.7)
and is not hidden under anything else once scrolled to (2.4.11, focus not obscured)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.flows import enrol_on_new_device

pytestmark = pytest.mark.browser

FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const r = el.getBoundingClientRect();
const style = getComputedStyle(el);
// A date field's calendar button is focused inside the field (its own ring, not the field's).
const inner = el.matches('input[type=date]') && !el.matches(':focus');
const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 12), 0), innerHeight - 1);
const hit = document.elementFromPoint(x, y);
const label = (el.textContent || el.name || '').trim().slice(0, 30);
return {name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + label + '"',
        key: el.outerHTML.slice(0, 200) + r.top + ':' + r.left,
        shown: inner || style.outlineStyle !== 'none' || style.boxShadow !== 'none',
        inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
        covered: !inner && !!hit && hit !== el && !el.contains(hit) && !hit.contains(el)};
"""


def _tab_round(browser, path: str, problems: list[str], *, presses: int = 80) -> None:
    browser.open(path)
    browser.wait_for("h1")
    first = None
    for _ in range(presses):
        ActionChains(browser.driver).send_keys(Keys.TAB).perform()
        seen = browser.driver.execute_script(FOCUSED)
        if seen is None:  # past the last control, the browser's own UI: round again
            continue
        if first is None:
            first = seen["key"]
        elif seen["key"] == first:
            return  # round the page and back to the first control: no trap
        if not seen["shown"]:
            problems.append(f"{path}: no focus indicator on {seen['name']}")
        if not seen["inView"] or seen["covered"]:
            problems.append(f"{path}: {seen['name']} focused but "
                            f"{'covered' if seen['covered'] else 'out of view'}")
    problems.append(f"{path}: Tab did not come back to the first control in {presses} presses")


def test_tab_goes_round_every_page_showing_an_unobscured_focus(browser, server):
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    problems: list[str] = []
    for path in ("/", "/login", "/enrol", "/recover", "/verify", "/no-such-page"):
        _tab_round(browser, path, problems)
    enrol_on_new_device(browser)
    for path in ("/account", "/account/details", "/account/sessions", "/account/reauth?next=/account"):
        _tab_round(browser, path, problems)
    assert not problems, "\n".join(problems)
