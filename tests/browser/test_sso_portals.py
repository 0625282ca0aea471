"""Single sign-on and single logout across two agency portals, in headless Chromium.

The provider (the live server) and two demo portals (`clients.portal`, authlib relying parties)
run on loopback: the civil registry (private_key_jwt) and the tax agency (client secret), both
with back-channel logout. The citizen enrols from the registry's sign-in, arrives at the tax
agency already signed in, leaves at the tax agency, and the registry's session ends through the
logout token the provider delivers in the background.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from joserfc.jwk import ECKey
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

from clients.portal import PortalConfig, create_portal
from infra.db import get_db
from tests.browser.chromium import Browser
from tests.browser.conftest import LiveServer, _QuietHandler
from tests.browser.flows import Person, fill_person, new_person

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Portal:
    client_id: str
    url: str
    app: Flask


def _metadata(name: str, base_url: str, **extra) -> dict:
    return {"client_name": name, "redirect_uris": [f"{base_url}/callback"],
            "post_logout_redirect_uris": [f"{base_url}/"],
            "backchannel_logout_uri": f"{base_url}/backchannel-logout",
            "backchannel_logout_session_required": True, "scope": "openid profile email", **extra}


def _bootstrap_keys(app: Flask) -> None:
    """The tables were emptied for this test: make the provider's signing keys again."""
    from keys import get_service

    service = get_service(app)
    service.invalidate()
    service.custody.initialise()
    service.keyring.bootstrap(service.now())


@pytest.fixture
def portals(server: LiveServer) -> Iterator[dict[str, Portal]]:
    """Both demo portals, registered with the provider and served on free loopback ports."""
    from clients.registry.services import find_client, rotate_secret, upsert_operator_client

    _bootstrap_keys(server.app)
    servers = {name: make_server("localhost", 0, lambda e, s: [], threaded=True,
                                 request_handler=_QuietHandler) for name in ("registry", "tax")}
    urls = {name: f"http://localhost:{s.port}" for name, s in servers.items()}
    key = ECKey.generate_key("P-256", parameters={"kid": "registry-test", "alg": "ES256", "use": "sig"},
                             private=True)
    with server.app.app_context(), get_db(server.app).transaction() as session:
        upsert_operator_client(session, client_id="registro-civil", metadata=_metadata(
            "Registro Civil", urls["registry"], token_endpoint_auth_method="private_key_jwt",
            scope="openid profile email documents:issue",
            grant_types=["authorization_code", "refresh_token", "client_credentials"],
            token_endpoint_auth_signing_alg="ES256", jwks={"keys": [key.as_dict(private=False)]},
            security_profile="oidc"))
        upsert_operator_client(session, client_id="hacienda", metadata=_metadata(
            "Ministerio de Hacienda", urls["tax"], token_endpoint_auth_method="client_secret_basic"))
        secret = rotate_secret(session, find_client(session, "hacienda"))
    configs = {
        "registry": PortalConfig(name="Registro Civil", base_url=urls["registry"], issuer=server.url,
                                 client_id="registro-civil", private_jwk=key.as_dict(private=True),
                                 theme="registry", can_issue_documents=True),
        "tax": PortalConfig(name="Ministerio de Hacienda", base_url=urls["tax"], issuer=server.url,
                            client_id="hacienda", client_secret=secret, theme="tax"),
    }
    threads = []
    found = {}
    for name, config in configs.items():
        app = create_portal(config)
        servers[name].app = app
        thread = threading.Thread(target=servers[name].serve_forever, name=f"portal-{name}", daemon=True)
        thread.start()
        threads.append(thread)
        found[name] = Portal(config.client_id, urls[name], app)
    try:
        yield found
    finally:
        for s in servers.values():
            s.shutdown()
            s.server_close()


def _enrol_here(browser: Browser, person: Person) -> None:
    """Fill in the enrolment form the browser is on (reached from the sign-in page)."""
    fill_person(browser, browser.wait_for("form#enrol-form"), person)
    browser.one("#enrol-submit").click()


def _allow(browser: Browser) -> None:
    browser.wait_for("button[name=decision][value=allow]").click()


def _shows_signed_in(browser: Browser, portal: Portal) -> None:
    browser.wait(lambda d: d.current_url.startswith(portal.url + "/") and d.find_elements(By.ID, "signed-in"),
                 f"expected {portal.client_id} to show the citizen signed in")


def enrol_at_portal(browser: Browser, portal: Portal) -> None:
    """A new citizen on a new device signs in at the portal by enrolling from the sign-in page
    and allowing the agency; the portal shows them signed in."""
    browser.new_device()
    browser.driver.get(portal.url + "/")
    browser.wait_for("#portal-signin").click()
    browser.wait_for("#enrol-link").click()
    _enrol_here(browser, new_person())
    browser.wait_for("a#continue").click()
    _allow(browser)
    _shows_signed_in(browser, portal)


def test_sign_in_once_use_both_agencies_and_leave_everywhere(browser: Browser, portals, server):
    registry, tax = portals["registry"], portals["tax"]
    person = new_person()
    browser.new_device()

    # 1. At the civil registry, sign in; no identity yet: enrol from the sign-in page.
    browser.driver.get(registry.url + "/")
    browser.wait_for("#portal-signin").click()
    browser.wait_for_path("/login")
    browser.wait_for("#enrol-link").click()
    browser.wait_for_path("/enrol")
    _enrol_here(browser, person)
    browser.wait_for_path("/account/recovery-codes")
    browser.wait_for("ol#recovery-codes")
    browser.wait_for("a#continue").click()
    _allow(browser)  # what the registry receives, shown once
    _shows_signed_in(browser, registry)
    assert person.given_name in browser.one("#citizen-name").text
    [passkey] = browser.passkeys()
    uses = passkey.sign_count

    # 2. At the tax agency: no sign-in, only what it will receive.
    browser.driver.get(tax.url + "/")
    browser.wait_for("#portal-signin").click()
    browser.wait_for("button[name=decision][value=allow]")
    assert browser.path == "/authorize"
    _allow(browser)
    _shows_signed_in(browser, tax)
    assert browser.passkeys()[0].sign_count == uses  # the passkey was not used again
    claims = {row.get_attribute("data-claim"): row.find_element(By.TAG_NAME, "td").get_attribute("textContent")
              for row in browser.all("#claims-raw tbody tr")}  # the technical details, as received
    assert claims["sid"] and claims["given_name"] == person.given_name

    # 3. Leave at the tax agency (RP-initiated logout): back at the tax agency, signed out.
    browser.wait_for("#portal-signout").click()
    browser.wait(lambda d: d.current_url.startswith(tax.url + "/") and d.find_elements(By.ID, "portal-signin"),
                 "expected the tax agency to show the citizen signed out")

    # 4. The civil registry's session was ended by the back-channel logout token.
    def registry_signed_out(driver) -> bool:
        driver.get(registry.url + "/")
        return bool(driver.find_elements(By.ID, "portal-signin"))

    # The browser's usual cap (60 s), not 20 s: on a loaded machine an attempt can use its whole
    # [logout] delivery_seconds (5) and the retry comes 5 s later.
    browser.wait(registry_signed_out, "expected the civil registry's session to be ended")
    assert not browser.all("#signed-in")

    # 5. And the provider's own session is over.
    browser.open("/account")
    browser.wait_for_path("/login")


def test_the_sessions_page_ends_a_session_at_the_agencies(browser: Browser, portals, server):
    registry = portals["registry"]
    enrol_at_portal(browser, registry)

    browser.open("/account")
    browser.wait_for("#sessions-link").click()
    browser.wait_for_path("/account/sessions")
    [card] = browser.all("li.session")
    assert card.get_attribute("data-this-device") == "true"
    assert "Registro Civil" in card.find_element(By.CSS_SELECTOR, ".session-agencies").text
    assert "Chrome" in card.find_element(By.CSS_SELECTOR, ".session-device").text
    browser.assert_accessible()
    card.find_element(By.CSS_SELECTOR, "form.end-session button").click()
    browser.wait_for_path("/signed-out")  # the page lists the agencies signed out of
    assert "Registro Civil" in browser.wait_for("main").text

    def registry_signed_out(driver) -> bool:
        driver.get(registry.url + "/")
        return bool(driver.find_elements(By.ID, "portal-signin"))

    # The wait's own limit bounds the time (the browser's usual cap, 60 s: on a loaded machine a
    # delivery attempt can use its whole [logout] delivery_seconds, and the retry comes 5 s later).
    browser.wait(registry_signed_out, "expected the civil registry's session to be ended")


def test_the_civil_registry_issues_a_birth_certificate_that_verifies(browser: Browser, portals, server):
    """The registry portal calls the documents API (client credentials) for the signed-in citizen;
    the citizen finds it under "My documents" and anyone can verify it by its code."""
    import keys

    service = keys.get_service(server.app)
    service.pki.init(service.now())
    keys.issue_seal_certificate(server.app, client_id="registro-civil", organization_name="Registro Civil",
                                organization_identifier="VATSV-registro-civil")
    registry = portals["registry"]
    person = new_person()
    browser.new_device()
    browser.driver.get(registry.url + "/")
    browser.wait_for("#portal-signin").click()
    browser.wait_for("#enrol-link").click()
    _enrol_here(browser, person)
    browser.wait_for("a#continue").click()
    _allow(browser)
    _shows_signed_in(browser, registry)

    browser.wait_for("#issue-birth").click()
    code = browser.wait_for("#issued .csv").text
    link = browser.one("#verify-link").get_attribute("href")
    assert link == f"{server.url}/verify/{code}"
    browser.driver.get(link)
    browser.wait(lambda d: code in d.page_source and "Registro Civil" in d.page_source,
                 "expected the verification page to show the document")
    browser.open("/account/documents")
    browser.wait(lambda d: code in d.page_source, "expected the certificate under My documents")


def test_the_registry_portal_steps_up_and_says_what_to_do_when_the_level_is_out_of_reach(
        browser: Browser, portals, server):
    """The "certified register data" page needs level substantial: a citizen who only enrolled
    (level low) is sent back to Cédula with acr_values, which answers unmet_authentication_requirements
    (their identity is not proofed); the portal says how to reach the level. The portal's pages
    (claims, level, documents) pass axe-core with no CSP violation."""
    registry = portals["registry"]
    enrol_at_portal(browser, registry)
    assert browser.one('#claims tr[data-claim="acr"] td').text  # the level, in words
    browser.assert_accessible()

    browser.driver.get(registry.url + "/level")
    browser.wait_for("#level-now")
    browser.assert_accessible()
    browser.one("#level-start").click()
    browser.wait(lambda d: d.current_url.startswith(registry.url + "/level?notice=unmet"),
                 "expected the portal's level page with the unmet notice")
    assert browser.one("#level-unmet").text
    assert not browser.all("#register-data")
    browser.assert_accessible()

    browser.driver.get(registry.url + "/documents")
    browser.wait_for("#documents-none")
    browser.assert_accessible()
    assert browser.csp_violations() == []


def test_the_portal_writes_the_sign_in_time_in_the_devices_time_zone(browser: Browser, portals, server):
    """The portal said when the citizen signed in in UTC ("… 4:00:00 UTC"), hours off the clock
    on their wall. Its own script (strict CSP, no inline code) tells it the device's zone, and the
    time is written there, in the page's language, with no zone to work out."""
    import re
    from datetime import UTC, datetime, timedelta

    browser.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    registry = portals["registry"]
    enrol_at_portal(browser, registry)
    browser.wait(lambda d: d.get_cookie("tz"), "the portal's time zone script did not set the tz cookie")
    browser.driver.get(registry.url + "/")
    shown = browser.wait_for('tr[data-claim="auth_time"] td').text
    assert "UTC" not in shown and "GMT" not in shown, shown
    tokyo = datetime.now(UTC) + timedelta(hours=9)
    hour = int(re.search(r"(\d+):\d\d", shown).group(1))
    assert hour in {tokyo.hour, (tokyo - timedelta(minutes=5)).hour}, (shown, tokyo)


def test_a_citizen_reads_the_portal_and_cedula_in_the_language_they_choose(browser: Browser, portals, server):
    """A Spanish browser, a citizen who reads English: the portal had no language switch and
    Cédula followed the browser. The portal's switch now changes the portal, and its sign-in
    asks Cédula for the same language (ui_locales)."""
    registry = portals["registry"]
    browser.driver.get(registry.url + "/")
    assert browser.lang() == "es"
    browser.wait_for('a[hreflang="en"]').click()
    browser.wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en",
                 "the portal did not switch to English")
    browser.assert_accessible()
    browser.wait_for("#portal-signin").click()
    browser.wait_for("#enrol-link")
    assert browser.driver.current_url.startswith(server.url + "/login") and browser.lang() == "en"
    browser.assert_accessible()


FOCUS_RINGS = """
const el = document.activeElement, style = getComputedStyle(el);
const colours = [style.outlineStyle !== 'none' ? style.outlineColor : null];
for (const m of style.boxShadow.matchAll(/rgba?\\([^)]*\\)/g)) colours.push(m[0]);
let bg = null;
for (let node = el.parentElement; node && !bg; node = node.parentElement) {
  const c = getComputedStyle(node).backgroundColor;
  if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') bg = c;
}
return {colours: colours.filter(Boolean), background: bg || 'rgb(255, 255, 255)', id: el.id};
"""


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        import re
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_portals_focus_indicator_stands_out_from_the_page(browser: Browser, portals):
    """WCAG 1.4.11: the portal's only focus ring was light yellow (#ffbf47) on white, 1.6:1. Like
    Cédula's pages, a ring of the indicator now has at least 3:1 against what is around it."""
    from selenium.webdriver.common.keys import Keys

    browser.driver.get(portals["registry"].url + "/")
    browser.wait_for("#portal-signin")
    for _ in range(10):
        browser.driver.switch_to.active_element.send_keys(Keys.TAB)
        state = browser.driver.execute_script(FOCUS_RINGS)
        assert any(_contrast(c, state["background"]) >= 3 for c in state["colours"]), state
        if state["id"] == "portal-signin":
            break
    else:
        raise AssertionError("Tab never reached the sign-in button")
