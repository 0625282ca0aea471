"""A passkey script's JSON answer speaks its page's language, also when the page is not in the
language of the `lang` cookie (an agency's ui_locales chose it): js/webauthn.js names the
page's language (X-Page-Language) and the server puts it before the cookie."""

from __future__ import annotations

import pytest

from tests.browser.flows import message

pytestmark = pytest.mark.browser


def test_a_passkey_script_s_error_follows_its_page_s_language_over_the_cookie(browser, server):
    browser.choose_language("es", then="/login")
    browser.wait_for("button#passkey-signin")
    # The page as an agency's ui_locales would show it: in English, while the cookie says Spanish.
    browser.driver.execute_script("document.documentElement.lang = 'en'")
    description = browser.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/static/js/webauthn.js')
          .then(m => m.postJSON('/webauthn/registration/options', {}))
          .then(r => done(r.data.error_description), e => done(String(e)));""")
    assert description == message(server, "webauthn.error.login_required", "en")
