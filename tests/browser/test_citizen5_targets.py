"""Targets of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8) on the pages of a citizen who has a
document, at 320 and at 1280 px, in Spanish and English: every link, button and field in <main>
that is not inside a sentence (its block holds no text but the targets'). A document's
"Página de verificación" and "Añadir a mi cartera digital" links, beside its download button,
were 19 px high at both widths (test_target_size's check counts the button's words as a
sentence around them)."""

from __future__ import annotations

import pytest

from tests.browser.flows import enrol_on_new_device

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)

# Each target in <main> under 24x24 whose nearest block holds no words but the targets' own.
SMALL_TARGETS = """
const words = s => (s || '').replace(/\\s+/g, ' ').trim();
const targets = [...document.querySelectorAll(
  'main a[href], main button, main input:not([type=hidden]), main select, main summary')];
const small = [];
for (const el of targets) {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || el.closest('[hidden]')) continue;
  if (r.width >= 24 && r.height >= 24) continue;
  let block = el.parentElement;
  while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
  let rest = block ? block.textContent : '';
  for (const other of targets) if (block && block.contains(other)) rest = rest.replace(other.textContent, ' ');
  if (words(rest)) continue;  // in a sentence: the inline exception
  small.push(el.tagName.toLowerCase() + ' "' + words(el.textContent).slice(0, 30) + '" '
             + Math.round(r.width) + 'x' + Math.round(r.height));
}
return small;
"""


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
            for path in pages:
                browser.open(path)
                browser.wait_for("h1")
                small = browser.driver.execute_script(SMALL_TARGETS)
                if small:
                    problems.append(f"{path} [{lang}, {width} px]: {', '.join(small)}")
    assert not problems, "targets under 24x24 CSS px:\n" + "\n".join(problems)
