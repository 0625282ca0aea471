"""Targets of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8), at 320 px in Spanish and English:
every link, button and field a citizen presses, except a link inside a sentence (the criterion's
inline exception; the check is tests/browser/targets.py). The header's language switch and
navigation, and the links that stand alone in their paragraph ("Volver al inicio" on an error
page, "Cancelar y volver"), were 19 px high."""

from __future__ import annotations

import pytest

from tests.browser.flows import enrol_on_new_device
from tests.browser.targets import small_targets

pytestmark = pytest.mark.browser

WIDTH = 320
PUBLIC = ("/", "/login", "/enrol", "/help", "/contact", "/transparency", "/signed-out", "/no-such-page")
SIGNED_IN = ("/account", "/account/details", "/account/agencies", "/account/sessions",
             "/account/reauth?next=/account")

def test_every_target_outside_a_sentence_is_at_least_24_px(browser, server):
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    problems: list[str] = []
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/")
        small_targets(browser, PUBLIC, lang, problems)
    enrol_on_new_device(browser)
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/account")
        small_targets(browser, SIGNED_IN, lang, problems)
    assert not problems, "targets under 24x24 CSS px:\n" + "\n".join(problems)
