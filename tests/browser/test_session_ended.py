"""A session that ends while a passkey page is open (it timed out, or was closed from another
device): the button the citizen presses then says what happened and links to sign in again,
back to where they were; it never says "sign in to add a passkey" on a page that adds none."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.flows import active_id, enrol_on_new_device, message
from tests.conftest import empty_store

pytestmark = pytest.mark.browser


def _end_session(browser, app) -> None:
    """The browser's session record gone from the store, as when it expires there."""
    from idp.sessions import cookie_name, records, session_policy
    from infra.store import get_store

    with app.test_request_context():
        name = cookie_name()
    token = browser.driver.get_cookie(name)["value"]
    get_store(app).delete(records.RECORD + records.reference(session_policy(app), token))


def review_page(browser, server, pki_rows, tmp_path, monkeypatch) -> str:
    """A citizen proofed in person (who may sign) on the review page of a PDF they chose;
    returns its address."""
    from tests.browser.agency import restore_pki
    from tests.browser.test_reflow import _everyone
    from tests.browser.test_signing_chain import _pdf

    restore_pki(server.app, pki_rows)
    _everyone(browser, server, tmp_path, monkeypatch)
    browser.open("/account/sign")
    browser.wait_for("input#document").send_keys(str(_pdf(tmp_path)))
    browser.one("input#document").submit()
    browser.wait_for("#confirm-sign")
    return browser.full_path


def _summary(browser, css: str) -> list[tuple[str, str | None]]:
    browser.wait_for(f"{css} li")
    browser.wait(lambda d: active_id(browser) == css.lstrip("#"), f"focus on {css}")
    items = []
    for li in browser.all(f"{css} li"):
        links = li.find_elements("css selector", "a")
        items.append((li.text.strip(), links[0].get_attribute("href") if links else None))
    return items


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_session_ended_on_the_account_page_says_so_and_leads_back_after_sign_in(browser, server, lang):
    enrol_on_new_device(browser)
    browser.choose_language(lang, then="/account")
    browser.wait_for("button#add-passkey")
    empty_store(server.app)  # the session ends (expired, or closed elsewhere)
    browser.one("button#add-passkey").click()
    items = _summary(browser, "#add-passkey-error")
    assert [text for text, _ in items] == [message(server, "session.ended", lang),
                                           message(server, "session.sign_in_again", lang)]
    assert items[1][1] == f"{server.url}/login?next=%2Faccount"
    assert not browser.all("[role=alert] [data-raw], pre")
    browser.all("#add-passkey-error li a")[0].click()
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for_path("/account")
    assert browser.lang() == lang


def test_a_session_ended_on_the_confirmation_page_does_not_speak_of_adding_a_passkey(browser, server):
    enrol_on_new_device(browser)
    browser.open("/account/reauth?next=/account/sessions")
    browser.wait_for("button#recheck-confirm")
    empty_store(server.app)
    browser.one("button#recheck-confirm").click()
    items = _summary(browser, "#recheck-error")
    assert [text for text, _ in items] == [message(server, "session.ended"),
                                           message(server, "session.sign_in_again")]
    # Signing in again is the fresh passkey check the page asked for: back to what it was for.
    assert items[1][1] == f"{server.url}/login?next=%2Faccount%2Fsessions"
    browser.all("#recheck-error li a")[0].click()
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for_path("/account/sessions")


def test_a_session_ended_on_the_signing_page_says_so_and_leads_back_to_the_document(
        browser, server, pki_rows, tmp_path, monkeypatch):
    review = review_page(browser, server, pki_rows, tmp_path, monkeypatch)
    _end_session(browser, server.app)  # the upload stays: only the session is gone
    browser.one("#confirm-sign").click()
    box = browser.wait_for("#confirm-error")
    browser.wait(lambda d: box.find_elements("css selector", "a"), "a link to sign in again")
    link = box.find_element("css selector", "a")
    assert box.text == f"{message(server, 'session.ended')} {message(server, 'session.sign_in_again')}"
    assert link.get_attribute("href") == f"{server.url}/login?next={quote(review, safe='')}"
    link.click()
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for_path(review)
    browser.wait_for("#confirm-sign")
