"""Targets of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8), at 320 px in Spanish and English:
every link, button and field a citizen presses, except a link inside a sentence (the criterion's
inline exception). The header's language switch and navigation, and the links that stand alone
in their paragraph ("Volver al inicio" on an error page, "Cancelar y volver"), were 19 px high."""

from __future__ import annotations

import pytest

from tests.browser.flows import enrol_on_new_device

pytestmark = pytest.mark.browser

WIDTH = 320
PUBLIC = ("/", "/login", "/enrol", "/help", "/contact", "/transparency", "/signed-out", "/no-such-page")
SIGNED_IN = ("/account", "/account/details", "/account/agencies", "/account/sessions",
             "/account/reauth?next=/account")

# Each target smaller than 24x24 that is not inside a sentence: the nearest block around it
# holds no other text.
SMALL_TARGETS = """
const small = [];
for (const el of document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')) {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || el.closest('[hidden]')) continue;
  if (r.width >= 24 && r.height >= 24) continue;
  let block = el.parentElement;
  while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
  const words = s => (s || '').replace(/\\s+/g, ' ').trim();
  if (block && words(block.textContent).length > words(el.textContent).length) continue;  // in a sentence
  small.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + words(el.textContent).slice(0, 30)
             + '" ' + Math.round(r.width) + 'x' + Math.round(r.height));
}
return small;
"""


def _check(browser, paths, lang: str, problems: list[str]) -> None:
    for path in paths:
        browser.open(path)
        browser.wait_for("h1")
        small = browser.driver.execute_script(SMALL_TARGETS)
        if small:
            problems.append(f"{path} [{lang}]: {', '.join(small)}")


def test_every_target_outside_a_sentence_is_at_least_24_px(browser, server):
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    problems: list[str] = []
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/")
        _check(browser, PUBLIC, lang, problems)
    enrol_on_new_device(browser)
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/account")
        _check(browser, SIGNED_IN, lang, problems)
    assert not problems, "targets under 24x24 CSS px:\n" + "\n".join(problems)
