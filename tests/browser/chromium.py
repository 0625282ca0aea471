"""Headless Chromium driven by Selenium 4: waits, passkey devices, axe, failure evidence.

`Browser` wraps one WebDriver session against the live server. Passkeys come from Chromium's
virtual authenticator (the WebDriver WebAuthn extension, W3C WebAuthn Level 3, section 11),
set up as a phone or laptop would be: CTAP2, built in, resident keys, user verification.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import (
    Credential,
    Protocol,
    Transport,
    VirtualAuthenticatorOptions,
)
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.parts import missing, require_executable

REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
STALE_NODE = "does not belong to the document"  # chromedriver: a node of a replaced page

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1280,1024",
]
WAIT_SECONDS = 60  # a cap: every wait ends as soon as its condition holds (20 s was short on a loaded CI machine)

_NO_CONDITIONAL_MEDIATION = """
if (window.PublicKeyCredential) {
  Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable',
                        {value: async () => false, configurable: true});
}
"""

# Error outputs of the page contract, read when a wait fails to say what the page showed.
_ERROR_SELECTORS = ("#form-error", "#login-error", ".field-error", "[role=alert]")


def find_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver: skip locally, fail in CI, when either is absent."""
    found = []
    for name, default in (("chromium", "/usr/bin/chromium"),
                          ("chromedriver", "/usr/bin/chromedriver")):
        path = os.environ.get(f"CEDULA_TEST_{name.upper()}", default)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            path = require_executable(name, "apt-get install chromium chromium-driver")
        found.append(path)
    return found[0], found[1]


def start_chromium(chromium: str, chromedriver: str, user_data_dir: Path, *,
                   prefs: dict[str, object] | None = None) -> webdriver.Chrome:
    """Chromium with the suite's flags; `prefs` adds settings (e.g. cookies blocked)."""
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    # Spanish, the product's default language, unless a test picks another one.
    options.add_argument("--lang=es")
    options.add_experimental_option("prefs", {"intl.accept_languages": "es", **(prefs or {})})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))


class Browser:
    """One Chromium session pointed at the live server `base_url`."""

    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.console: list[dict] = []
        self._autofill_script: str | None = None

    # --- navigation and waits -----------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    @property
    def full_path(self) -> str:
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def wait(self, condition, message: str, seconds: float = WAIT_SECONDS):
        def settled(driver):
            # A page that reloads while the condition reads it leaves stale elements: look again.
            # Chromium says so as StaleElementReferenceException, or, when the element's node is
            # from the document being replaced, as an "unknown error" naming that.
            try:
                return condition(driver)
            except WebDriverException as exc:
                if isinstance(exc, StaleElementReferenceException) or STALE_NODE in (exc.msg or ""):
                    return False
                raise

        try:
            return WebDriverWait(self.driver, seconds).until(settled)
        except TimeoutException:
            raise AssertionError(f"{message}; the page is {self.driver.current_url}"
                                 f"{self.shown_errors()}") from None

    def wait_for_path(self, path: str, seconds: float = WAIT_SECONDS) -> None:
        self.wait(lambda _: self.path == path, f"expected to reach {path}", seconds)

    def wait_for(self, css: str, seconds: float = WAIT_SECONDS) -> WebElement:
        """The first element matching `css` once it is displayed."""
        def shown(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed():
                    return element
            return False
        return self.wait(shown, f"expected {css} to be shown", seconds)

    def wait_for_text(self, css: str, seconds: float = WAIT_SECONDS) -> str:
        """The text of `css` once it is displayed and not empty."""
        def text(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and element.text.strip():
                    return element.text.strip()
            return False
        return self.wait(text, f"expected {css} to show a message", seconds)

    def current_page(self) -> WebElement:
        """The <html> element of the document shown now; it goes stale once another loads."""
        return self.driver.find_element(By.TAG_NAME, "html")

    def wait_for_new_page(self, old_page: WebElement, message: str = "expected a new page",
                          seconds: float = WAIT_SECONDS) -> None:
        """Wait until `old_page` (from `current_page()`) has been replaced by another document.

        A wait on a selector, a text or a path that the old page already satisfies (the same
        form after a POST-redirect-GET, a status region present before) returns at once, before
        the server has answered; this one can only be true after the navigation.
        """
        self.wait(staleness_of(old_page), message, seconds)

    def submit_and_wait(self, target: WebElement | str, seconds: float = WAIT_SECONDS) -> None:
        """Click `target` (an element or a CSS selector) and wait for the page it loads.

        Only for actions that navigate (a form post, a link); a page that stays (a script
        showing an error in place) would make this wait time out.
        """
        element = self.one(target) if isinstance(target, str) else target
        old_page = self.current_page()
        element.click()
        self.wait_for_new_page(old_page, f"expected {target if isinstance(target, str) else 'the click'}"
                                         " to load a new page", seconds)

    def submit_form_and_wait(self, field: WebElement | str,
                             seconds: float = WAIT_SECONDS) -> None:
        """Submit the form of `field` (WebElement.submit) and wait for the page it loads."""
        element = self.one(field) if isinstance(field, str) else field
        old_page = self.current_page()
        element.submit()
        self.wait_for_new_page(old_page, "expected the form post to load a new page", seconds)

    def one(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def shown_errors(self) -> str:
        texts = []
        for css in _ERROR_SELECTORS:
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and element.text.strip():
                    texts.append(f"{css}: {element.text.strip()!r}")
        return ("; it shows " + ", ".join(dict.fromkeys(texts))) if texts else ""

    def choose_language(self, lang: str, then: str = "/") -> None:
        """Use the page's language switch route, which sets the `lang` cookie."""
        self.open(f"/language/{lang}?next={then}")
        self.wait(lambda d: d.execute_script("return document.documentElement.lang") == lang,
                  f"expected the page in {lang!r}")

    # --- forms --------------------------------------------------------------------------

    def fill(self, element: WebElement, value: str) -> None:
        element.clear()
        element.send_keys(value)

    def date_order(self) -> list[str]:
        """The order in which a date input takes day, month and year in this browser."""
        return self.driver.execute_script(
            "return new Intl.DateTimeFormat(undefined, {year: 'numeric', month: '2-digit',"
            " day: '2-digit'}).formatToParts(new Date(2001, 10, 22))"
            ".filter(p => p.type !== 'literal').map(p => p.type);")

    def date_keys(self, iso: str) -> str:
        """The digits to type into a focused <input type=date> for the ISO date `iso`."""
        year, month, day = iso.split("-")
        parts = {"year": year, "month": month, "day": day}
        return "".join(parts[name] for name in self.date_order())

    def fill_date(self, element: WebElement, iso: str) -> None:
        """Type the date with the keyboard, as a person would, into its first segment."""
        self.driver.execute_script("arguments[0].focus();", element)
        element.send_keys(self.date_keys(iso))
        value = element.get_property("value")
        assert value == iso, f"typing the date {iso} gave {value!r}"

    # --- passkeys -----------------------------------------------------------------------

    def disable_passkey_autofill(self) -> None:
        """Make pages see a browser without conditional mediation (passkey autofill).

        Chromium's virtual authenticator answers a conditional request at once with any
        passkey it holds, as if the person had picked it from the autofill list; a page
        offering autofill would then sign in on load, before a test can press its button.
        This runs before the pages' own scripts, on every new document.
        """
        self._autofill_script = self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": _NO_CONDITIONAL_MEDIATION},
        )["identifier"]

    def enable_passkey_autofill(self) -> None:
        if self._autofill_script is not None:
            self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                        {"identifier": self._autofill_script})
            self._autofill_script = None

    def new_device(self) -> None:
        """Replace the current authenticator (if any) by a new one without passkeys."""
        if self.driver.virtual_authenticator_id is not None:
            self.driver.remove_virtual_authenticator()
        self.driver.add_virtual_authenticator(VirtualAuthenticatorOptions(
            protocol=Protocol.CTAP2,
            transport=Transport.INTERNAL,
            has_resident_key=True,
            has_user_verification=True,
            is_user_consenting=True,
            is_user_verified=True,
        ))

    def passkeys(self) -> list[Credential]:
        return self.driver.get_credentials()

    def passkey_ids(self) -> list[str]:
        """Credential ids held by the authenticator, base64url without padding."""
        return [c.id.rstrip("=") for c in self.passkeys()]

    def add_passkey(self, credential: Credential) -> None:
        self.driver.add_credential(credential)

    # --- accessibility ------------------------------------------------------------------

    def inject_axe(self) -> str:
        """Load axe-core into the page through WebDriver (not subject to the page's CSP)."""
        if not AXE_SCRIPT.is_file():
            missing(f"{AXE_SCRIPT.relative_to(REPO)} is absent (run `npm ci`)")
        if not self.driver.execute_script("return typeof window.axe === 'object';"):
            self.driver.execute_script(_axe_source())
        version = self.driver.execute_script(
            "return window.axe && typeof window.axe.run === 'function' ? window.axe.version"
            " : null;")
        assert version, "axe-core did not load into the page"
        return version

    def axe_violations(self) -> list[dict]:
        """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the current page."""
        self.inject_axe()
        self.driver.set_script_timeout(60)
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                                      resultTypes: ['violations']})
              .then(r => done({violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                  nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                            summary: n.failureSummary}))}))}))
              .catch(e => done({error: String(e && e.stack || e)}));
            """,
            WCAG_TAGS,
        )
        assert "error" not in result, f"axe.run failed: {result['error']}"
        return result["violations"]

    def assert_accessible(self) -> None:
        """No serious or critical WCAG A/AA violation on the current page."""
        violations = self.axe_violations()
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if others:
            print(f"axe: minor or moderate issues on {self.full_path}:\n"
                  + describe_violations(others))
        assert not blocking, (f"axe found serious or critical WCAG violations on "
                              f"{self.full_path} (lang={self.lang()}):\n"
                              + describe_violations(blocking))

    def lang(self) -> str:
        return self.driver.execute_script("return document.documentElement.lang;")

    # --- console and evidence -----------------------------------------------------------

    def read_console(self) -> list[dict]:
        """Browser console entries since the last call (they are also kept in `console`)."""
        entries = self.driver.get_log("browser")
        self.console.extend(entries)
        return entries

    def csp_violations(self) -> list[str]:
        return [e["message"] for e in self.read_console()
                if "Content Security Policy" in e.get("message", "")]

    def save_evidence(self, folder: Path) -> list[Path]:
        """Screenshot, page source and console of the current page, for a failed test."""
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        try:
            shot = folder / "screenshot.png"
            if self.driver.save_screenshot(str(shot)):
                saved.append(shot)
            source = folder / "page.html"
            source.write_text(f"<!-- {self.driver.current_url} -->\n{self.driver.page_source}")
            saved.append(source)
            self.read_console()
            console = folder / "console.json"
            console.write_text(json.dumps(self.console, indent=2, ensure_ascii=False))
            saved.append(console)
        except Exception as exc:  # the browser may be the thing that broke
            print(f"could not save all browser evidence: {exc!r}")
        return saved


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            for line in (node.get("summary") or "").splitlines():
                lines.append(f"       {line}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_SCRIPT.read_text(encoding="utf-8")
    return _AXE_SOURCE


def remove_profile(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
