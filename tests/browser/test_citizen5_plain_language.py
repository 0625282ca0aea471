"""Failure pages a citizen may land on say what happened and what to do in plain words (no
"token", "JWT", "OIDC", "WebAuthn", "client_id"...: their reading, innerText), in Spanish and
English at 320 px. The refused sign-out (an agency's link with a bad id_token_hint) showed the
agency's technical detail ("id_token_hint is not an ID token this provider issued (the JWT is not
a compact JWS ...)") in the page's reading; it is kept for the agency's developer, folded under
a plain summary that opens with the keyboard and is a 24 px target (WCAG 2.5.8)."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser

JARGON = re.compile(
    r"\btokens?\b|id_token|\bJWT\b|\bJWS\b|\bOIDC\b|OpenID|WebAuthn|relying party|client_id|redirect_uri"
    r"|\bendpoint\b|punto de acceso",
    re.IGNORECASE,
)
PAGES = (
    "/end-session?id_token_hint=not-a-jwt",
    "/end-session?client_id=no-such-agency",
    "/authorize?client_id=no-such-agency",
    "/authorize/continue?interaction=gone",
    "/verify/ABCD",
    "/no-such-page",
    "/logout",
)


def test_failure_pages_speak_plainly_and_fold_the_agencys_detail(shared_browser):
    browser = shared_browser
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    )
    problems: list[str] = []
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/")
        for path in PAGES:
            browser.open(path)
            browser.wait_for("h1")
            read = browser.driver.execute_script("return document.querySelector('main').innerText")
            found = sorted({m.group(0) for m in JARGON.finditer(read)})
            if found:
                problems.append(f"{path} [{lang}]: {found}")
    assert not problems, "technical words in a citizen's reading:\n" + "\n".join(problems)
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/")
        # The agency's detail is still there for its developer: the summary opens it.
        browser.open(PAGES[0])
        summary = browser.wait_for("#agency-detail > summary")
        size = summary.size
        assert size["height"] >= 24 and size["width"] >= 24, f"summary {size} [{lang}]"
        summary.send_keys(Keys.ENTER)
        browser.wait(lambda d: "id_token_hint" in browser.one("#agency-detail").text, "the detail opened")
        assert browser.one("#agency-detail span[lang=en]").text.startswith("id_token_hint")
