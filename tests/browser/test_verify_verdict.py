"""Issue 19: the verification page says one verdict first, as its h1, with what it means and
what to do, in Spanish and English; details are folded away below; a well-formed code no
document has is a possible forgery that can be reported. axe-core, no CSP violations, 320 px."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_accessibility import check_page
from tests.browser.test_accessibility_services import (
    assert_reflows,
    consent_with_keyboard,
    signed_in_citizen,
)

pytestmark = pytest.mark.browser
LANGUAGES = ["es", "en"]
TITLES = {("valid", "es"): "Documento válido", ("valid", "en"): "Valid document",
          ("revoked", "es"): "Documento revocado", ("revoked", "en"): "Document revoked",
          ("not_found", "es"): "Posible documento falso",
          ("not_found", "en"): "Possible forged document"}


def _verdict(browser, lang: str, expected: str) -> None:
    heading = browser.wait_for("h1#verdict-title")
    assert heading.get_attribute("data-verdict") == expected
    assert TITLES[(expected, lang)] in heading.text
    box = browser.one("#verdict")
    assert box.get_attribute("role") == ("status" if expected == "valid" else "alert")
    assert box.text.strip()
    check_page(browser, lang)
    assert_reflows(browser, f"verify-{expected}")


def test_verdicts_in_both_languages(browser, agency):
    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    document, _ = agency.issue_residence(claims["sub"])
    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/verify/{document['csv']}")
        _verdict(browser, lang, "valid")
        details = browser.one("details#details")
        assert not browser.one("#report-heading").is_displayed()
        details.find_element("css selector", "summary").click()
        browser.wait_for("#report-heading")
        check_page(browser, lang)

    for lang in LANGUAGES:
        browser.choose_language(lang, then="/verify/7KQ4-M2XH-9PRT-WC3N-B8DA")
        _verdict(browser, lang, "not_found")
        browser.one("#where").send_keys("Mercado central")
        browser.one("#report button[type=submit]").click()
        browser.wait_for("#reported")
        check_page(browser, lang)

    web = agency.app.test_client()
    token = web.post("/token", headers=agency._basic(), data={"grant_type": "client_credentials"})
    revoked = web.post(f"/api/documents/{document['id']}/revoke", content_type="application/json",
                       headers={"Authorization": "Bearer " + token.get_json()["access_token"]},
                       data=json.dumps({"reason": "Datos erróneos"}))
    assert revoked.status_code == 200, revoked.get_json()
    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/verify/{document['csv']}")
        _verdict(browser, lang, "revoked")
