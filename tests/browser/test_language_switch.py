"""The language switch keeps the citizen where they are, also on the page that answers a form
they sent (a POST the switch cannot repeat)."""

from __future__ import annotations

import pytest

from infra.store import get_store
from tests.browser.flows import enrol_on_new_device, message

pytestmark = pytest.mark.browser


def test_switching_language_on_an_expired_consent_keeps_the_request_not_another_error(browser, server, agency):
    """The consent screen left open until its request expired: "Allow" answers that the request
    expired. Switching to English said instead that the agency had sent a request Cédula cannot
    answer and should be told to fix it (the switch went to /authorize, without the request)."""
    from idp.oidc.interactions import PREFIX

    enrol_on_new_device(browser)
    browser.open(agency.authorize_path())
    allow = browser.wait_for("button[name=decision][value=allow]")
    interaction = browser.one("input[name=interaction]").get_attribute("value")
    get_store(server.app).delete(PREFIX + interaction)  # the screen was left open too long
    browser.submit_and_wait(allow)
    expired = message(server, "oidc.error.expired")
    assert browser.one("[role=alert]").text == expired
    browser.submit_and_wait(browser.one(".lang-switch a[hreflang=en]"))
    assert browser.lang() == "en"
    assert browser.full_path == f"/authorize/continue?interaction={interaction}"
    assert browser.one("[role=alert]").text == message(server, "oidc.error.expired", "en")
