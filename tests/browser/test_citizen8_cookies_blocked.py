"""A browser that blocks every cookie (a setting people turn on for privacy) keeps no session:
the pages say so, and what to do, before a passkey is made or used.

Before: enrolment created the identity and the passkey, then landed on the sign-in page with
no word of why (the recovery codes, shown once, never shown); a second try was refused as an
identity that exists; signing in came back to the sign-in page, silently, every time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from idp.citizens.models import Citizen
from infra.db import get_db
from tests.browser.chromium import Browser, remove_profile, start_chromium
from tests.browser.flows import fill_enrolment, message, new_person
from tests.support.national_ids import dui

pytestmark = pytest.mark.browser


@pytest.fixture
def blocking_browser(server, chromium_paths) -> Iterator[Browser]:
    """A new Chromium whose settings block all cookies, with a passkey authenticator."""
    chromium, chromedriver = chromium_paths
    profile = Path(tempfile.mkdtemp(prefix="cedula-chromium-"))
    driver = start_chromium(chromium, chromedriver, profile,
                            prefs={"profile.default_content_setting_values.cookies": 2})
    driver.set_page_load_timeout(90)
    session = Browser(driver, server.url)
    session.disable_passkey_autofill()
    session.new_device()
    try:
        yield session
    finally:
        driver.quit()
        remove_profile(profile)


def _citizens(server) -> int:
    with get_db(server.app).read() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(Citizen)) or 0


def test_citizen8_enrolment_with_cookies_blocked_says_so_and_creates_nothing(blocking_browser, server):
    browser = blocking_browser
    fill_enrolment(browser, new_person())
    browser.one("#enrol-submit").click()
    said = browser.wait_for_text("#form-error")
    assert message(server, "site.cookies_blocked") in said
    assert browser.path == "/enrol"
    assert browser.passkeys() == [] and _citizens(server) == 0  # nothing made that cannot be used
    browser.assert_accessible()


def test_citizen8_sign_in_with_cookies_blocked_says_so(blocking_browser, server):
    browser = blocking_browser
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    said = browser.wait_for_text("#login-error")
    assert message(server, "site.cookies_blocked") in said
    assert browser.path == "/login"


def test_citizen8_a_recovery_code_is_not_spent_when_cookies_are_blocked(blocking_browser, server):
    """Before: the form was sent and refused as "the form expired or does not come from this
    page: go back, reload and try again" (its CSRF check needs a cookie), which no reload mends."""
    browser = blocking_browser
    browser.open("/recover")
    form = browser.wait_for("form#recover-form")
    browser.fill(form.find_element("name", "national_id"), dui(4_892_613))
    browser.fill(form.find_element("name", "code"), "K7QM-4TZX-9WHB")
    browser.one("#recover-submit").click()
    said = browser.wait_for_text("#form-error")
    assert message(server, "recover.cookies_blocked") in said
    assert browser.path == "/recover"
    browser.assert_accessible()
