"""Targets of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8) on the pages of a citizen who has a
document, at 320 and at 1280 px, in Spanish and English: every link, button and field that is
not inside a sentence (its block holds no text but the targets'; tests/browser/targets.py). A
document's "Página de verificación" and "Añadir a mi cartera digital" links, beside its download
button, were 19 px high at both widths (test_target_size's check then counted the button's words
as a sentence around them; both tests now share the one check)."""

from __future__ import annotations

import pytest

from tests.browser.flows import enrol_on_new_device
from tests.browser.targets import small_targets

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)

def test_a_documents_links_and_the_other_citizen_targets_are_24_px(browser, server, agency):
    enrol_on_new_device(browser)
    browser.open(agency.authorize_path())
    browser.wait_for("button[name=decision][value=allow]").click()
    browser.wait(lambda d: d.current_url.startswith(agency.redirect_uri), "expected the agency's callback")
    claims, _info = agency.redeem(browser.driver.current_url)
    document, _pdf = agency.issue_residence(claims["sub"])
    pages = (
        "/account/documents",
        f"/verify/{document['csv']}",
        "/account/agencies",
        "/account/log",
        "/account/sessions",
        "/account/details",
    )
    browser.open("/account/documents")
    assert browser.wait_for("#documents a.button-link"), "the document's links are on the page"
    problems: list[str] = []
    for width in WIDTHS:
        browser.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        for lang in ("es", "en"):
            browser.choose_language(lang, then="/account/documents")
            small_targets(browser, pages, f"{lang}, {width} px", problems)
    assert not problems, "targets under 24x24 CSS px:\n" + "\n".join(problems)
