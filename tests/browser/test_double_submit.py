"""A form sent twice (a double click, or a second click while the first answer is slow) is sent
once. A recovery code, a registrar's binding code or a consent is used by the first request: the
second was refused («the code was already used») and the browser showed that refusal, while the
first answer, which signed the citizen in, was thrown away; the code was gone for nothing."""

from __future__ import annotations

import threading
import time

import pytest

from tests.browser import test_sso_portals
from tests.browser.flows import enrol_on_new_device, new_person, sign_out

pytestmark = pytest.mark.browser


class SlowPosts:
    """Counts the POSTs to `path` and answers each after `seconds` (the second click comes
    while the first is on its way)."""

    def __init__(self, app, path: str, seconds: float) -> None:
        self.app, self.path, self.seconds = app, path, seconds
        self.count = 0
        self._lock = threading.Lock()
        self._inner = app.wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == self.path:
            with self._lock:
                self.count += 1
            time.sleep(self.seconds)
        return self._inner(environ, start_response)


def test_a_recovery_form_clicked_twice_is_sent_once_and_signs_in(browser, server, monkeypatch):
    person = new_person()
    codes = enrol_on_new_device(browser, person)
    sign_out(browser)
    browser.new_device()
    browser.open("/recover")
    browser.fill(browser.wait_for("input[name=national_id]"), person.national_id)
    browser.fill(browser.one("input[name=code]"), codes[0])
    slow = SlowPosts(server.app, "/recover", 1.5)
    monkeypatch.setattr(server.app, "wsgi_app", slow)
    # Two clicks 0.3 s apart, from the page itself (WebDriver's click would wait for the page).
    browser.driver.execute_script(
        "const button = document.getElementById('recover-submit');"
        "setTimeout(() => button.click(), 0); setTimeout(() => button.click(), 300);")
    browser.wait_for_path("/account", seconds=30)
    assert browser.wait_for_text("#recovery-notice")
    assert slow.count == 1


portals = test_sso_portals.portals  # the demo portals, served for this module's test too


def test_the_portals_issue_button_clicked_twice_issues_one_certificate(browser, server, portals, monkeypatch):
    import keys

    service = keys.get_service(server.app)
    service.pki.init(service.now())
    keys.issue_seal_certificate(server.app, client_id="registro-civil", organization_name="Registro Civil",
                                organization_identifier="VATSV-registro-civil")
    registry = portals["registry"]
    test_sso_portals.enrol_at_portal(browser, registry)
    slow = SlowPosts(registry.app, "/documents/birth", 1.5)
    monkeypatch.setattr(registry.app, "wsgi_app", slow)
    browser.wait_for("#issue-birth")
    browser.driver.execute_script(
        "const button = document.getElementById('issue-birth');"
        "setTimeout(() => button.click(), 0); setTimeout(() => button.click(), 300);")
    browser.wait_for("#issued .csv", seconds=30)
    assert slow.count == 1
    assert len(browser.all("[id^=issued]")) == 1
