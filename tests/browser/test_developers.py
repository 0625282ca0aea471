"""The developer guide and the API reference in Chromium: axe-core's WCAG A/AA rules pass in
Spanish and English, no CSP violation, and both reflow at 320 CSS pixels (WCAG 1.4.10): only code
blocks scroll inside themselves, never the page."""

from __future__ import annotations

import pytest

from tests.browser.chromium import Browser

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/developers", "/developers/api"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_developer_pages_are_accessible_and_reflow_at_320_px(browser: Browser, path, lang):
    browser.choose_language(lang, then=path)
    assert browser.lang() == lang
    assert len(browser.all("h1")) == 1
    browser.assert_accessible()
    assert browser.csp_violations() == []
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 320, "height": 900, "deviceScaleFactor": 1, "mobile": True})
    try:
        widths = browser.driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
        assert widths[0] <= widths[1], f"{path} ({lang}) scrolls sideways at 320 px: {widths}"
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
