"""A fresh passkey check before sensitive actions, in Chromium (issue 12).

Once the session's last passkey check is older than account.reauth_seconds, new recovery
codes and a new passkey come after a re-check: the page asks for the passkey (Chromium's
virtual authenticator answers), then the same form is submitted again, or the account page
opens again for the citizen to add the passkey.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.chromium import Browser
from tests.browser.flows import enrol_on_new_device, passkey_items

pytestmark = pytest.mark.browser


def _age_session(browser: Browser, app, seconds: float) -> None:
    """The browser's session as if its last passkey check were `seconds` older."""
    from idp.sessions import cookie_name, records, session_policy
    from infra.store import get_store

    with app.test_request_context():
        name = cookie_name()
    token = browser.driver.get_cookie(name)["value"]
    store = get_store(app)
    key = records.RECORD + records.reference(session_policy(app), token)
    data = json.loads(store.get(key))
    data["auth_time"] -= seconds
    store.set(key, json.dumps(data).encode(), max(1.0, data["expires"] - time.time()))


def _confirm(browser: Browser) -> None:
    browser.wait_for("button#recheck-confirm")
    browser.assert_accessible()
    assert browser.csp_violations() == []
    browser.one("button#recheck-confirm").click()


def test_recovery_codes_and_a_new_passkey_after_a_recheck(browser, server):
    first_codes = enrol_on_new_device(browser)
    _age_session(browser, server.app, 301)

    # New recovery codes: the form comes back as the re-check page, then goes on by itself.
    browser.wait_for("form[action='/account/recovery-codes'] button[type=submit]").click()
    browser.wait_for_path("/account/recovery-codes")
    assert "crear códigos de recuperación nuevos" in browser.one("main").text
    assert not browser.all("ol#recovery-codes")
    _confirm(browser)
    browser.wait_for("ol#recovery-codes")
    codes = [li.text.strip() for li in browser.all("ol#recovery-codes > li")]
    assert len(codes) == 10 and not set(codes) & set(first_codes)

    # Adding a passkey: the account page sends the citizen through the re-check and back.
    _age_session(browser, server.app, 301)
    browser.open("/account")
    browser.wait_for("button#add-passkey").click()
    browser.wait_for_path("/account/reauth")
    _confirm(browser)
    browser.wait_for_path("/account")
    browser.new_device()  # the new passkey is made on another device
    browser.wait_for("button#add-passkey").click()
    browser.wait(lambda _: len(passkey_items(browser)) == 2, "expected two passkeys")
