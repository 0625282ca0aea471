"""The service pages citizens, registrars and verifiers see, reached in a real state, pass
axe-core's WCAG 2.0/2.1/2.2 A and AA rules in Spanish and English; each has a descriptive,
distinct title, one h1, no CSP violation; forms work with the keyboard, focus visible; the
consent and verification pages reflow at 320 CSS pixels (WCAG 1.4.10).

Set CEDULA_SCREENS=/some/folder to also save full-page screenshots (1200 px, and 390 px for
the consent and verification pages) for a person to look at.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.agency import Agency
from tests.browser.chromium import Browser
from tests.browser.flows import enrol_on_new_device
from tests.browser.test_accessibility import assert_focus_visible, press
from tests.idp.conftest import dui
from tests.idp.conftest import enrol as enrol_over_http
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register

pytestmark = pytest.mark.browser

LANGUAGES = ("es", "en")
SITE_NAME = "Cédula"
CLAIMS = '{"id_token": {"given_name": {"essential": true}}}'
SCREENS = os.environ.get("CEDULA_SCREENS")


# --- checks ---------------------------------------------------------------------------------


class Pages:
    """Visits pages in each language and checks them; titles must tell pages apart."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.titles: dict[tuple[str, str], str] = {}

    def visit(self, kind: str, path: str, *, wait: str | None = None) -> None:
        for lang in LANGUAGES:
            self.browser.choose_language(lang, then=quote(path, safe="/"))
            if wait:
                self.browser.wait_for(wait)
            self.check(kind, lang)

    def check(self, kind: str, lang: str | None = None) -> None:
        browser = self.browser
        lang = lang or browser.lang()
        where = f"{kind} ({browser.full_path}, {lang})"
        assert browser.lang() == lang, where
        title = browser.driver.title.strip()
        name = title.rsplit(" · ", 1)[0].strip()
        assert name and name != SITE_NAME, f"{where}: the title {title!r} does not name the page"
        page = kind.split(":")[0]  # "page:state": states of one page may share its title
        for (other, other_lang), seen in self.titles.items():
            assert not (other.split(":")[0] != page and other_lang == lang and seen == title), \
                f"{where} and {other} share the title {title!r}"
        self.titles[(kind, lang)] = title
        headings = [h.text.strip() for h in browser.all("h1")]
        assert len(headings) == 1 and headings[0], f"{where}: expected one h1, found {headings}"
        browser.assert_accessible()
        assert browser.csp_violations() == [], where
        if SCREENS:
            screenshot(browser, f"{kind}-{lang}-1200", 1200)


def _metrics(browser: Browser, width: int, height: int) -> None:
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _reset_metrics(browser: Browser) -> None:
    browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def screenshot(browser: Browser, name: str, width: int) -> Path:
    """The whole page at `width` CSS pixels, saved under CEDULA_SCREENS."""
    folder = Path(SCREENS or ".")
    folder.mkdir(parents=True, exist_ok=True)
    _metrics(browser, width, 800)
    height = browser.driver.execute_script("return document.documentElement.scrollHeight;")
    _metrics(browser, width, min(int(height), 8000))
    path = folder / f"{name.replace(':', '-')}.png"
    browser.driver.save_screenshot(str(path))
    _reset_metrics(browser)
    return path


def assert_reflows(browser: Browser, name: str) -> None:
    """WCAG 1.4.10: at 320 CSS pixels nothing needs scrolling sideways (tables scroll inside
    their own region, which 1.4.10 allows)."""
    for width in (320, 390):
        _metrics(browser, width, 800)
        try:
            wide = browser.driver.execute_script("""
                const limit = document.documentElement.clientWidth;
                const out = [];
                for (const el of document.querySelectorAll('body *')) {
                  if (el.closest('.table-wrap')) continue;
                  const r = el.getBoundingClientRect();
                  if (r.width && r.right > limit + 1) out.push(el.tagName.toLowerCase() +
                      (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''));
                }
                return {scroll: document.documentElement.scrollWidth, limit, out: out.slice(0, 8)};
            """)
            assert wide["scroll"] <= wide["limit"] and not wide["out"], \
                f"{browser.full_path} does not reflow at {width}px: {wide}"
            if SCREENS and width == 390:
                screenshot(browser, f"{name}-{browser.lang()}-390", 390)
        finally:
            _reset_metrics(browser)


def tab_until(browser: Browser, css: str, limit: int = 40) -> list[str]:
    """Press Tab until an element matching `css` has focus, each stop visibly focused."""
    visited = []
    for _ in range(limit):
        press(browser, Keys.TAB)
        visited.append(assert_focus_visible(browser))
        focused = browser.driver.switch_to.active_element
        if browser.driver.execute_script("return arguments[0].matches(arguments[1]);", focused, css):
            return visited
    raise AssertionError(f"Tab never reached {css}; focus went to {visited}")


def signed_in_citizen(browser: Browser) -> None:
    enrol_on_new_device(browser)


def consent_with_keyboard(browser: Browser, agency: Agency) -> dict:
    """Untick an optional item with Space, then Allow with Enter; the ID token's claims."""
    browser.open(agency.authorize_path(claims=CLAIMS))
    browser.wait_for("form.consent-form")
    visited = tab_until(browser, "#claim-email")
    assert any("claim-family_name" in v for v in visited), visited
    press(browser, Keys.SPACE)
    assert browser.one("#claim-email").get_property("checked") is False
    tab_until(browser, "button[name=decision][value=allow]")
    press(browser, Keys.ENTER)
    browser.wait(lambda d: d.current_url.startswith(agency.redirect_uri), "expected the agency's callback")
    claims, info = agency.redeem(browser.driver.current_url)
    assert claims["given_name"] and info["family_name"] and "email" not in info, info
    return claims


# --- the citizen's pages --------------------------------------------------------------------


def test_consent_page_and_deciding_with_the_keyboard(browser, agency):
    signed_in_citizen(browser)
    pages = Pages(browser)
    path = agency.authorize_path(claims=CLAIMS)
    pages.visit("consent", path, wait="form.consent-form")
    assert browser.all("#required li[data-claim=given_name]")
    assert browser.all("#optional input[type=checkbox]")
    assert_reflows(browser, "consent")

    # Deny with the keyboard: back to the agency with access_denied.
    browser.open(path)
    browser.wait_for("form.consent-form")
    tab_until(browser, "button[name=decision][value=deny]")
    press(browser, Keys.ENTER)
    browser.wait(lambda d: d.current_url.startswith(agency.redirect_uri), "expected the agency's callback")
    assert "error=access_denied" in browser.driver.current_url

    consent_with_keyboard(browser, agency)
    # prompt=select_account asks which identity to continue with.
    pages.visit("select-account", agency.authorize_path(prompt="select_account"),
                wait="button[name=choice][value=continue]")
    tab_until(browser, "button[name=choice][value=continue]")


def test_consent_page_stating_the_law(browser, agency, monkeypatch):
    from idp.consent import get_consents

    monkeypatch.setitem(get_consents(agency.app).policy.legal_bases, agency.client_id,
                        "Ley del Registro Nacional de las Personas Naturales, art. 12")
    signed_in_citizen(browser)
    Pages(browser).visit("consent-law", agency.authorize_path(claims=CLAIMS), wait="#legal-basis")
    assert_reflows(browser, "consent-law")


def test_data_pages_after_consent(browser, agency):
    signed_in_citizen(browser)
    consent_with_keyboard(browser, agency)
    pages = Pages(browser)
    pages.visit("agencies", "/account/agencies", wait="#agencies li.agency")
    assert_reflows(browser, "agencies")
    pages.visit("log", "/account/log", wait="#log tbody tr")
    assert_reflows(browser, "log")
    pages.visit("close", "/account/close", wait="#close-form")
    pages.visit("sessions", "/account/sessions", wait="#sessions li.session")
    pages.visit("assurance", "/account/assurance", wait="#current-level")
    export = browser.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/account/export').then(r => r.json().then(body => done({
            type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'),
            keys: Object.keys(body)}))).catch(e => done({error: String(e)}));""")
    assert export.get("type", "").startswith("application/json"), export
    assert "attachment" in (export.get("disposition") or ""), export

    # Revoking an agency from the keyboard.
    browser.open("/account/agencies")
    tab_until(browser, "form.revoke-agency button")
    press(browser, Keys.ENTER)
    browser.wait_for("#confirm-form")  # what withdrawing does, then confirm
    tab_until(browser, "#confirm-button")
    press(browser, Keys.ENTER)
    browser.wait_for("#no-agencies")
    pages.check("agencies:none")

    # Closing the account with the keyboard: tick the confirmation with Space, then Enter.
    browser.open("/account/close")
    tab_until(browser, "#confirm")
    press(browser, Keys.SPACE)
    tab_until(browser, "#close-form button[type=submit]")
    close_page = browser.current_page()
    press(browser, Keys.ENTER)
    # The close page has an h1 too: wait for it to be replaced, not for any h1.
    browser.wait_for_new_page(close_page, "expected the close form to be posted")
    browser.wait(lambda d: browser.path != "/account/close" or not browser.all("#close-form"),
                 "expected the account to be closed")
    pages.check("closed")


def _proof_in_person(app) -> None:
    """The only citizen had their identity checked at a registrar's office (level high)."""
    from idp.assurance.services import raise_proofing
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).transaction() as session:
        citizen = session.query(Citizen).one()
        raise_proofing(session, citizen_id=citizen.id, method="in_person", now=datetime.now(UTC))


def test_documents_signing_and_verification(browser, agency, tmp_path):
    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    document, pdf = agency.issue_residence(claims["sub"])
    sealed = tmp_path / "certificado.pdf"
    sealed.write_bytes(pdf)
    not_pdf = tmp_path / "notas.pdf"
    not_pdf.write_text("Esto no es un PDF.")
    pages = Pages(browser)
    pages.visit("documents", "/account/documents", wait="#documents li.document")
    assert document["csv"] in browser.one("#documents").text
    assert_reflows(browser, "documents")
    # Self-asserted (level low): signing is refused, saying why and how to raise the level.
    pages.visit("sign-refused", "/account/sign", wait="#sign-refused")
    assert_reflows(browser, "sign-refused")
    _proof_in_person(agency.app)
    pages.visit("sign", "/account/sign", wait="#document")

    for lang in LANGUAGES:
        browser.choose_language(lang, then="/account/sign")
        browser.one("#document").send_keys(str(sealed))
        browser.one("#document").submit()
        browser.wait_for("#confirm-sign")
        pages.check("sign-review", lang)
        assert_reflows(browser, "sign-review")
        tab_until(browser, "#confirm-sign")

        browser.choose_language(lang, then="/account/sign")
        browser.one("#document").send_keys(str(not_pdf))
        browser.wait_for("#document").submit()
        browser.wait_for("#sign-error")
        pages.check("sign:error", lang)

    pages.visit("verify", "/verify", wait="#code")
    assert_reflows(browser, "verify")
    pages.visit("verify-report:code", f"/verify/{document['csv']}", wait="#document-heading")
    assert_reflows(browser, "verify-report:code")
    pages.visit("verify-unknown", "/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    pages.visit("verify:bad-code", "/verify?code=%21%21", wait="#code-error")
    for lang in LANGUAGES:
        browser.choose_language(lang, then="/verify")
        browser.one("#file").send_keys(str(sealed))
        browser.one("#file").submit()
        browser.wait_for("#verdict-title")  # the details (#report-heading) are folded away
        pages.check("verify-report:upload", lang)
        assert_reflows(browser, "verify-report:upload")


def test_sessions_and_logout_confirmation(browser, agency):
    signed_in_citizen(browser)
    consent_with_keyboard(browser, agency)
    pages = Pages(browser)
    confirm = "/end-session?" + f"client_id={agency.client_id}&post_logout_redirect_uri=" \
        + quote(agency.after_logout, safe="")
    pages.visit("end-session", confirm, wait="#logout-confirm")
    assert_reflows(browser, "end-session")

    # "Stay signed in" with the keyboard goes back to the account.
    browser.open(confirm)
    tab_until(browser, "#logout-no")
    press(browser, Keys.ENTER)
    browser.wait_for_path("/account")
    pages.visit("end-session-refused", "/end-session?client_id=no-such-agency", wait="#logout-error")

    browser.open(confirm)
    tab_until(browser, "#logout-yes")
    press(browser, Keys.ENTER)
    browser.wait(lambda d: d.current_url.startswith(agency.after_logout), "expected the agency's page")
    pages.visit("signed-out", "/end-session", wait="#logout-done")


# --- registrars -----------------------------------------------------------------------------


def _refused_from_the_keyboard(browser, pages, name: str, *, path: str, field: str, typed: str) -> None:
    """In each language: tab to `field`, type a wrong value, submit with Enter, check the page
    with its error summary."""
    for lang in LANGUAGES:
        browser.choose_language(lang, then=path)
        tab_until(browser, field)
        press(browser, typed, Keys.ENTER)
        browser.wait_for("#form-error")
        pages.check(name, lang)


def test_registrar_console_and_binding(browser, server, agency, tmp_path, monkeypatch):
    from tests.browser.authenticators import enrol_registrar

    app = server.app
    enrol_registrar(browser, app, tmp_path, monkeypatch)
    other = enrol_over_http(app.test_client(), SoftwareAuthenticator(origin=server.url),
                            national_id=dui(22222222), email="eva@example.sv")

    pages = Pages(browser)
    pages.visit("registrar", "/registrar", wait="#lookup-form")
    _refused_from_the_keyboard(browser, pages, "registrar:error", path="/registrar", field="#national_id",
                               typed="123")
    pages.visit("registrar-citizen", f"/registrar/citizens/{other.citizen_id}", wait="#verify-form")

    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/registrar/citizens/{other.citizen_id}")
        browser.one("#verify-submit").click()  # empty: every field in error
        browser.wait_for("#form-error")
        pages.check("registrar-citizen:errors", lang)

    # The desk recovers only an account whose details the civil register holds for its number.
    in_register(app, other.citizen_id)
    browser.open(f"/registrar/citizens/{other.citizen_id}")
    form = browser.wait_for("#recovery-form")
    form.find_element("css selector", "#recovery-document_number").send_keys("A1234567")
    browser.fill_date(form.find_element("css selector", "#recovery-document_expiry"), "2099-01-31")
    browser.one("#recovery-submit").click()
    browser.wait_for("#binding-code")
    pages.check("registrar-binding")
    assert browser.one("#binding-code").text.strip()
    assert browser.one("#binding-qr").get_attribute("alt").strip()

    # The citizen's page to enter the code (no session needed).
    browser.driver.delete_all_cookies()
    pages.visit("bind", "/bind", wait="#bind-form")
    _refused_from_the_keyboard(browser, pages, "bind:error", path="/bind", field="#code", typed="WRONG-CODE")
