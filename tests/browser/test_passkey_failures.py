"""Passkey failures in Chromium say why and what to do next: a cancelled (or timed-out)
prompt, a passkey the provider does not know (deleted from the account), with the WebAuthn
Signal API telling the device to forget it where the browser has it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.browser.flows import active_id, enrol_on_new_device, message, sign_out

pytestmark = pytest.mark.browser


def summary_items(browser) -> list[tuple[str, str | None]]:
    items = []
    for li in browser.all("#login-error li"):
        links = li.find_elements("css selector", "a")
        items.append((li.text.strip(), links[0].get_attribute("href") if links else None))
    return items


def test_a_cancelled_prompt_or_no_passkey_here_says_why_and_offers_the_next_steps(browser, server):
    browser.choose_language("en", then="/login")
    # A device without a passkey for this site: the browser answers NotAllowedError, as it
    # does for a cancelled or timed-out prompt (it does not tell them apart, for privacy).
    browser.new_device()
    browser.disable_passkey_autofill()
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for("#login-error li")
    browser.wait(lambda d: active_id(browser) == "login-error", "focus on the error summary")
    items = summary_items(browser)
    texts = [text for text, _ in items]
    assert texts[0] == message(server, "login.error.cancelled", "en")
    assert texts[1:] == [message(server, key, "en") for key in
                         ("login.next.try_again", "login.next.other_device", "login.next.recover",
                          "login.next.help")]
    hrefs = [href for _, href in items]
    assert hrefs[1].endswith("#passkey-signin") and hrefs[3].endswith("#recover-link")
    assert hrefs[4].endswith("/help#passkey")
    assert browser.driver.title.startswith("Error: ")
    browser.assert_accessible()

    browser.all("#login-error li a")[0].click()  # "Try again" goes back to the button
    browser.wait(lambda d: active_id(browser) == "passkey-signin", "focus on the sign-in button")


def test_a_deleted_passkey_is_named_and_forgotten_by_the_device(browser, server):
    enrol_on_new_device(browser)
    sign_out(browser)
    [held] = browser.passkey_ids()
    # The passkey is deleted from the account (e.g. from another device) but this device keeps it.
    with get_db(server.app).transaction() as db:
        db.execute(sa.delete(Passkey))
    browser.disable_passkey_autofill()
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for("#login-error li")
    first = summary_items(browser)[0][0]
    has_signal = browser.driver.execute_script(
        "return typeof PublicKeyCredential.signalUnknownCredential === 'function'")
    unknown = message(server, "login.error.unknown", "es")
    if has_signal:
        assert first == f"{unknown} {message(server, 'login.error.forgotten', 'es')}"
    else:
        assert first == unknown
    assert browser.path == "/login"
    assert held  # the device held it before the sign-in
    if has_signal:  # Chromium's virtual authenticator honours the signal: the passkey is gone
        browser.wait(lambda d: browser.passkey_ids() == [], "the device to forget the passkey")


def test_the_account_page_tells_the_device_which_passkeys_are_left(browser, server):
    """A passkey deleted from another device disappears from this one too: the account page
    signals the accepted passkeys (signalAllAcceptedCredentials) where the browser can."""
    enrol_on_new_device(browser)
    assert len(browser.passkey_ids()) == 1
    with get_db(server.app).transaction() as db:
        db.execute(sa.delete(Passkey))  # deleted elsewhere; this session goes on
    browser.open("/account")
    browser.wait_for("#citizen-name")
    [passkeys] = browser.all("ul#passkeys")  # empty now, still there for the script
    assert passkeys.get_attribute("data-rp-id") == "localhost"
    # Chromium has had the Signal API since version 132; the page feature-detects it.
    assert browser.driver.execute_script(
        "return typeof PublicKeyCredential.signalAllAcceptedCredentials === 'function'")
    browser.wait(lambda d: browser.passkey_ids() == [], "the device to drop the deleted passkey")


def test_the_account_page_keeps_the_passkeys_the_account_holds(browser):
    enrol_on_new_device(browser)
    browser.open("/account")
    browser.wait_for("ul#passkeys > li.passkey")
    browser.driver.execute_async_script("setTimeout(arguments[0], 300)")
    assert len(browser.passkey_ids()) == 1


def _use_up(server, bucket: str, setting: str) -> None:
    """This address's attempts in `bucket` (limited by rate_limit.`setting`) used up for now."""
    from infra.config import get_settings
    from infra.store import get_store

    store = get_store(server.app)
    for _ in range(int(get_settings(server.app)["rate_limit"][setting])):
        store.incr(f"rl:{bucket}:127.0.0.1", 300)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_too_many_sign_ins_from_one_place_say_to_wait_in_plain_words(browser, server, lang):
    """The options call is an API, whose 429 tells a developer about "this client", "the current
    window" and "the Retry-After header": the page says what a person should do instead."""
    browser.choose_language(lang, then="/login")
    browser.new_device()
    _use_up(server, "webauthn-options", "challenges")
    browser.open("/login")
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for("#login-error li")
    texts = [text for text, _ in summary_items(browser)]
    assert texts[0] == message(server, "error.rate_limited", lang)
    assert "Retry-After" not in browser.one("main").text


def test_too_many_enrolments_from_one_place_say_to_wait_in_plain_words(browser, server):
    from tests.browser.flows import fill_enrolment, new_person

    browser.new_device()
    _use_up(server, "enrol", "attempts")
    fill_enrolment(browser, new_person())
    browser.one("#enrol-submit").click()
    assert browser.wait_for_text("#form-error li") == message(server, "error.rate_limited")


def test_a_confirmation_without_a_passkey_on_this_device_says_it_may_not_have_been_cancelled(browser, server):
    """The browser answers a cancelled prompt, a timed-out one and a device without any of the
    citizen's passkeys alike (NotAllowedError): the re-check page said "The confirmation was
    cancelled" to someone who cancelled nothing, on a device without their passkey."""
    enrol_on_new_device(browser)
    browser.open("/account/reauth?next=/account")
    browser.new_device()  # another device: none of the citizen's passkeys is here
    browser.wait_for("button#recheck-confirm").click()
    assert browser.wait_for_text("#recheck-error li") == message(server, "recheck.cancelled")
    assert message(server, "recheck.cancelled") == (
        "No se confirmó: se canceló la solicitud, tardó demasiado o este dispositivo no tiene ninguna"
        " de sus llaves de acceso. No se hizo ningún cambio. Inténtelo de nuevo, o use el dispositivo"
        " donde tiene su llave de acceso.")


def test_signing_without_a_passkey_on_this_device_says_what_may_have_happened_and_what_to_do(
        browser, server, pki_rows, tmp_path, monkeypatch):
    from tests.browser.authenticators import add_authenticator
    from tests.browser.test_session_ended import review_page

    review_page(browser, server, pki_rows, tmp_path, monkeypatch)
    # Another device: the security key the citizen enrolled with is gone (disabling the domain
    # removes every virtual authenticator), an empty one is there.
    browser.driver.execute_cdp_cmd("WebAuthn.disable", {})
    browser.driver.execute_cdp_cmd("WebAuthn.enable", {})
    add_authenticator(browser, synced=False)
    browser.one("#confirm-sign").click()
    assert browser.wait_for_text("#confirm-error") == message(server, "mydocs.review.cancelled")
    assert message(server, "mydocs.review.cancelled", "en") == (
        "The document was not signed: the request was cancelled, took too long, or this device has"
        " none of your passkeys. Try again, or use the device where you keep your passkey.")


def test_an_outage_during_sign_in_is_told_in_the_pages_language(browser, server, monkeypatch):
    """A browser asking for neither language (here French) reads the pages in Spanish, the
    default; the sign-in call's answer came in English, the APIs' default, on that Spanish page:
    the page's scripts now say which language they read."""
    from infra.config import get_settings
    from infra.store import get_store
    from infra.store.base import StoreError

    agent = browser.driver.execute_script("return navigator.userAgent;")
    browser.driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": "fr"})
    browser.new_device()
    browser.open("/login")
    button = browser.wait_for("button#passkey-signin")
    assert browser.lang() == "es"

    def down(*_args, **_kwargs):
        raise StoreError("the store is down")

    monkeypatch.setattr(get_store(server.app), "set", down)  # no challenge can be kept
    button.click()
    seconds = get_settings(server.app).server.retry_after_seconds
    assert browser.wait_for_text("#login-error li") == message(
        server, "error.unavailable.store").format(seconds=seconds)
