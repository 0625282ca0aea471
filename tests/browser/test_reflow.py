"""Every HTML page the provider, the signing service and the demo portals serve, in Spanish
and English, at 320 CSS pixels (WCAG 1.4.10 reflow): no sideways scrolling, axe-core with no
serious or critical WCAG A/AA violation, an h1 and a title that names it, no CSP violation,
dates written for people (no ISO 8601, no "UTC"), and no sentence left in the other language
(the page's text comes from the catalogs; what is marked `lang` as the other is excepted).

The list of pages is checked against the apps' URL maps (`test_every_html_route_is_visited_or_
excluded`): a new GET route must be added to PAGES (how to reach it) or to EXCLUDED (why it
serves no page), so no page is forgotten; the routes only `cedula demo` serves (DEMO_PAGES) are
checked on a provider configured as the demo configures it. One browser per role walks its pages; the signed-in
walk uses one person who is citizen, registrar and operator (one sign-in for the three roles).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from tests.browser import test_sso_portals
from tests.browser.chromium import BLOCKING_IMPACTS, Browser, describe_violations
from tests.browser.conftest import LiveServer
from tests.test_catalog_templates import english_only_fragments, spanish_only_fragments

LANGUAGES = ("es", "en")
WIDTH = 320
UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"


@dataclass(frozen=True)
class Visit:
    """How to reach a page: the path (with `{name}` filled from the walk's state), what to wait
    for, and where the browser must end up (a page that redirects without state)."""

    path: str
    wait: str = "h1"
    lands: str | None = None


PUBLIC = "public"
SIGNED_IN = "signed-in"    # a citizen who is also registrar and operator
PORTAL = "portal"


def at_their_rule(role: str, *rules: str) -> dict[str, tuple[str, tuple[Visit, ...]]]:
    """Routes with no variable part whose page is reached at the rule itself, ready at its h1."""
    return {rule: (role, (Visit(rule),)) for rule in rules}


# url rule -> (role, visits). Every HTML GET route of the provider (with the signing service).
PAGES: dict[str, tuple[str, tuple[Visit, ...]]] = {
    **at_their_rule(PUBLIC, "/", "/accessibility", "/contact", "/help", "/privacy", "/developers",
                            "/developers/api", "/transparency", "/enrol/wallet", "/enrol/wallet/done",
                            "/login/wallet", "/login/wallet/done", "/login", "/recover", "/reclaim", "/signed-out"),
    "/enrol": (PUBLIC, (Visit("/enrol", wait="#enrol-form"),)),
    "/bind": (PUBLIC, (Visit("/bind", wait="#bind-form"),)),
    # Without a claim in progress the code page sends the claimant back to the start.
    "/reclaim/code": (PUBLIC, (Visit("/reclaim/code", lands="/reclaim"),)),
    "/verify": (PUBLIC, (Visit("/verify", wait="#code"), Visit("/verify?code=%21%21", wait="#code-error"))),
    "/verify/<code>": (PUBLIC, (Visit(f"/verify/{UNKNOWN_CODE}"), Visit("/verify/{csv}", wait="#document-heading"))),
    "/authorize": (PUBLIC, (Visit("/authorize?client_id=no-such-agency"),
                            Visit("{consent}", wait="form.consent-form"))),
    "/authorize/continue": (PUBLIC, (Visit("/authorize/continue?interaction=gone"),)),
    "/end-session": (PUBLIC, (Visit("/end-session"), Visit("{end_session}", wait="#logout-confirm"))),
    **at_their_rule(SIGNED_IN, "/account/agencies", "/account/details", "/account/sessions/end-others",
                               "/account/assurance", "/account/documents", "/account/log",
                               "/account/recovery-codes", "/account/sessions", "/enrol/wallet/complete",
                               "/account/wallet-proofing", "/account/wallet-proofing/done", "/account/desk-code",
                               "/registrar/reclaim",
                               "/registrar/enrol", "/operator/agencies", "/operator/audit",
                               "/operator/forgery-reports", "/operator/indicators", "/operator/initial-tokens",
                               "/operator/keys", "/operator/people"),
    "/account": (SIGNED_IN, (Visit("/account", wait="ul#passkeys"),)),
    "/account/agencies/<consent_id>/receipt": (SIGNED_IN, (Visit("/account/agencies/{consent_id}/receipt"),)),
    "/account/agencies/revoke": (SIGNED_IN, (Visit("/account/agencies/revoke?client_id={client_id}"),)),
    "/account/passkeys/<credential>/delete": (SIGNED_IN, (Visit("/account/passkeys/{spare_passkey}/delete"),)),
    "/account/sessions/<sid>/end": (SIGNED_IN, (Visit("/account/sessions/{other_sid}/end"),)),
    "/account/close": (SIGNED_IN, (Visit("/account/close", wait="#close-form"),)),
    "/account/documents/<document_id>/wallet": (SIGNED_IN, (Visit("/account/documents/{document_id}/wallet"),)),
    "/account/reauth": (SIGNED_IN, (Visit("/account/reauth?next=/account"),)),
    "/account/sign": (SIGNED_IN, (Visit("/account/sign", wait="#document"),)),
    "/account/sign/<upload_id>": (SIGNED_IN, (Visit("{review}", wait="#confirm-sign"),)),
    "/registrar": (SIGNED_IN, (Visit("/registrar", wait="#lookup-form"),)),
    "/registrar/citizens/<raw_id>": (SIGNED_IN, (Visit("/registrar/citizens/{other}", wait="#verify-form"),)),
    # The passkey step while it is open, and once it is done or expired (410, the same page).
    "/registrar/enrolments/<raw_id>": (SIGNED_IN, (Visit("/registrar/enrolments/{enrolled}"),
                                                   Visit("/registrar/enrolments/{other}"))),
    "/registrar/enrolments/<raw_id>/done": (SIGNED_IN, (Visit("/registrar/enrolments/{enrolled}/done"),)),
    "/operator": (SIGNED_IN, (Visit("/operator", wait="ul.cards"),)),
    "/operator/agencies/new": (SIGNED_IN, (Visit("/operator/agencies/new", wait="#agency-form"),)),
    "/operator/agencies/<client_id>": (SIGNED_IN, (Visit("/operator/agencies/{client_id}"),)),
}

# Error pages reached with a GET (every status shares error.html; tests/infra/web/test_errors.py
# checks each status's title and sentence).
ERROR_PAGES = [Visit("/no-such-page")]

# url rule -> why no page is checked there (reviewed: JSON, files, redirects, protocol endpoints).
EXCLUDED: dict[str, str] = {
    "/.well-known/oauth-authorization-server": "JSON metadata (RFC 8414)",
    "/.well-known/oauth-authorization-server/wallet": "JSON metadata (RFC 8414)",
    "/.well-known/openid-configuration": "JSON metadata (OIDC Discovery)",
    "/.well-known/openid-credential-issuer": "JSON metadata (OpenID4VCI)",
    "/account/agencies/receipts/<consent_id>": "a signed consent receipt (JWS download)",
    "/account/agencies/<consent_id>/receipt.pdf": "a PDF download (the receipt, readable)",
    "/account/log.pdf": "a PDF download (the data-sharing log, readable)",
    "/agency-logos/<name>": "an image (an agency's logo)",
    "/account/documents/<document_id>/pdf": "a PDF download",
    "/account/export": "a JSON download",
    "/account/log.json": "a JSON download",
    "/account/sign/<upload_id>/pdf": "the PDF under review (embedded)",
    "/account/sign/prepared/<prepared_id>": "redirect to the review page (/account/sign/<upload_id>)",
    "/api/documents/<document_id>": "JSON API",
    "/api/documents/<document_id>/pdf": "PDF API",
    "/api/documents/prepared/<prepared_id>": "JSON API",
    "/api/documents/templates": "JSON API",
    "/api/indicators": "JSON API",
    "/api/verify/<code>": "JSON API",
    "/audit/checkpoint.json": "JSON",
    "/audit/log-keys.json": "JSON",
    "/consent-static/<path:filename>": "static files",
    "/healthz": "probe (text)",
    "/jwks.json": "JSON Web Key Set",
    "/language/<lang>": "sets the language cookie, then redirects",
    "/metrics": "Prometheus text",
    "/openapi.json": "JSON",
    "/operator/audit/export": "a JSON Lines download",
    "/operator/indicators/export": "a CSV or JSON download",
    "/pki/ca/<name>.cer": "certificate (DER)",
    "/pki/crl/<name>.crl": "CRL (DER)",
    "/pki/ocsp/<path:encoded>": "OCSP responder (RFC 6960)",
    "/readyz": "probe (text)",
    "/register/<client_id>": "JSON (RFC 7592 client configuration)",
    "/static/<path:filename>": "static files",
    "/static/shared/<path:filename>": "static files shared with the portals (infra.web.assets)",
    "/userinfo": "JSON (OIDC UserInfo)",
    "/verify/<code>/pdf": "the original PDF download",
    "/wallet/authorize": "OpenID4VCI authorization for a wallet app (redirects)",
    "/wallet/offers/<offer_id>": "JSON credential offer",
    "/wallet/status/<list_id>": "status list token",
    "/wallet/types/<template>": "JSON type metadata",
}

PORTAL_PAGES: dict[str, tuple[Visit, ...]] = {
    "/": (Visit("/", wait="#portal-signin"), Visit("/", wait="#signed-in")),
    "/level": (Visit("/level", wait="#level-now"),),
    "/documents": (Visit("/documents"),),
}
PORTAL_EXCLUDED: dict[str, str] = {
    "/login": "redirect to the provider",
    "/callback": "the provider's redirect back (redirects)",
    "/documents/<document_id>.pdf": "a PDF download",
    "/language/<lang>": "the language switch: remembers the choice and redirects back",
    "/static/<path:filename>": "static files",
    "/static/shared/<path:filename>": "static files shared with the provider (infra.web.assets)",
}


# Routes only `cedula demo` serves (demo.outbox_page): checked on an app of their own.
DEMO_PAGES: dict[str, tuple[Visit, ...]] = {
    "/demo/outbox": (Visit("/demo/outbox"),),
}


@pytest.fixture
def demo_server(tmp_path) -> Iterator[LiveServer]:
    """The provider as `cedula demo` configures it (the outbox page on), on a port of its own."""
    from idp import create_app
    from idp.schema import SCHEMA
    from tests.browser.conftest import serving
    from tests.conftest import Backend, settings_for

    database_url = f"sqlite:///{tmp_path / 'demo.db'}"
    SCHEMA.upgrade(database_url)
    with serving(lambda base: create_app(settings_for(
            Backend("embedded", database_url, ""), tmp_path,
            server={"issuer": base}, demo={"outbox_page": True})), name="demo-server") as demo:
        yield demo


def _get_rules(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def test_every_html_route_is_visited_or_excluded(live_server, demo_server):
    from clients.portal import PortalConfig, create_portal

    rules = _get_rules(live_server.app)
    assert sorted(_get_rules(demo_server.app) - rules) == sorted(DEMO_PAGES)
    assert sorted(rules - PAGES.keys() - EXCLUDED.keys()) == [], \
        "add each new GET route to PAGES (how to reach its page) or to EXCLUDED (why it serves none)"
    assert sorted((PAGES.keys() | EXCLUDED.keys()) - rules) == [], "these routes are gone"
    assert not PAGES.keys() & EXCLUDED.keys()
    portal = create_portal(PortalConfig(name="Portal", base_url="http://localhost:1",
                                        issuer="http://localhost:2", client_id="p", client_secret="s"))
    portal_rules = _get_rules(portal)
    assert sorted(portal_rules - PORTAL_PAGES.keys() - PORTAL_EXCLUDED.keys()) == []
    assert sorted((PORTAL_PAGES.keys() | PORTAL_EXCLUDED.keys()) - portal_rules) == []


# --- the walk -------------------------------------------------------------------------------

CHECK_PAGE = """
const root = document.scrollingElement || document.documentElement;
const wide = [];
// A code block may scroll inside itself (WCAG 1.4.10 excepts content that needs two
// dimensions); anything else wider than the viewport fails, even inside a scrolling wrapper
// (tables reflow as cards).
// Content clipped by an ancestor (overflow hidden: visually hidden text) cannot widen the page.
// `within(p)`: content whose nearest element is p (inclusive) is excused.
const within = start => {
  if (!start || start.closest('pre')) return true;
  for (let p = start; p && p !== document.body; p = p.parentElement)
    if (['hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
  return false;
};
const contained = el => within(el.parentElement);
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width && r.right > root.clientWidth + 1 && contained(el)) continue;
  if (r.width && r.right > root.clientWidth + 1 && getComputedStyle(el).position !== 'fixed')
    wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string'
              && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
}
// Text can stick out of an element that fits (a long word): name its element.
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const range = document.createRange();
for (let node = walker.nextNode(); node && wide.length < 6; node = walker.nextNode()) {
  if (!node.textContent.trim()) continue;
  range.selectNodeContents(node);
  const r = range.getBoundingClientRect();
  if (r.width && r.right > root.clientWidth + 1 && !within(node.parentElement))
    wide.push('text "' + node.textContent.trim().slice(0, 40) + '" in ' + node.parentElement.tagName.toLowerCase());
}
// Dates are written for people (Babel, the citizen's language and zone): no ISO date or "UTC"
// in the page's text, outside code samples.
const machine = [];
const dateWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = dateWalker.nextNode(); node && machine.length < 3; node = dateWalker.nextNode()) {
  const parent = node.parentElement;
  if (!parent || parent.closest('pre, code, script, style, template, [hidden]')) continue;
  const found = node.textContent.match(/\\b\\d{4}-\\d{2}-\\d{2}(T[\\d:.]+Z?)?\\b|\\b\\d{4}-W\\d{2}\\b|\\bUTC\\b/);
  if (found) machine.push('"' + found[0] + '" in ' + parent.tagName.toLowerCase());
}
// The page's own words: without what is marked as another language (lang="en" on a Spanish page).
const own = document.body.cloneNode(true);
const docLang = document.documentElement.lang;
for (const el of own.querySelectorAll('script, style, template, [hidden], [lang]'))
  if (!el.hasAttribute('lang') || el.getAttribute('lang') !== docLang) el.remove();
// Headings go down one level at a time (h1, h2, h3; never h1 then h3: WCAG 1.3.1, 2.4.6).
let level = 0;
const skipped = [];
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const next = Number(h.tagName[1]);
  if (h.closest('[hidden]')) continue;
  if (next > level + 1) skipped.push('h' + level + ' -> h' + next + ' "' + h.textContent.trim().slice(0, 40) + '"');
  level = next;
}
// The h1 as heard (an icon beside it is aria-hidden).
const heading = document.querySelector('h1') && document.querySelector('h1').cloneNode(true);
if (heading) heading.querySelectorAll('[aria-hidden=true]').forEach(el => el.remove());
return {lang: document.documentElement.lang, title: document.title.trim(), machine: machine,
        skipped: skipped.slice(0, 3),
        own: own.textContent.replace(/\\s+/g, ' '),
        h1text: heading ? heading.textContent.replace(/\\s+/g, ' ').trim() : '',
        h1: document.querySelectorAll('h1').length, scroll: root.scrollWidth, client: root.clientWidth,
        wide: wide.slice(0, 6)};
"""


# Pages that document the API's machine formats (ISO 8601 dates in UTC): their examples are data.
DOCUMENTS_FORMATS = ("/developers",)

QUOTED = re.compile(r'"[^"\n]{1,120}"|“[^”\n]{1,120}”|«[^»\n]{1,120}»')


class Walk:
    """Visits pages at 320 px in each language; collects every problem, then reports them all."""

    def __init__(self, browser: Browser, *, base: str | None = None, dates: bool = True) -> None:
        self.browser = browser
        self.base = base
        self.dates = dates  # dates written for people (not ISO 8601, not UTC) on every page
        # Data shown as it was written (not interface text): taken out before looking for Spanish.
        self.data: set[str] = set()
        self.problems: list[str] = []
        self.foreign = {"en": spanish_only_fragments(), "es": english_only_fragments()}
        browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True})

    def language(self, lang: str) -> None:
        if self.base is None:
            self.browser.choose_language(lang, then="/")
        else:  # another server (a portal, the demo provider): Accept-Language, no cookie here
            agent = self.browser.driver.execute_script("return navigator.userAgent;")
            self.browser.driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {
                "userAgent": agent, "acceptLanguage": lang})

    def open(self, path: str) -> None:
        if self.base is None:
            self.browser.open(path)
        else:
            self.browser.driver.get(self.base + path)

    def page(self, visit: Visit, lang: str, state: dict[str, str]) -> None:
        browser = self.browser
        path = visit.path.format(**state)
        where = f"{path} [{lang}]"
        self.open(path)
        try:
            browser.wait_for(visit.wait)
        except AssertionError as exc:
            self.problems.append(f"{where}: {exc}")
            return
        expected = (visit.lands or path.split("?")[0])
        if browser.path != expected:
            self.problems.append(f"{where}: ended on {browser.full_path}, expected {expected}")
        seen = browser.driver.execute_script(CHECK_PAGE)
        if seen["lang"] != lang:
            self.problems.append(f"{where}: <html lang={seen['lang']!r}>")
        if not seen["title"] or not seen["h1"]:
            self.problems.append(f"{where}: title {seen['title']!r}, {seen['h1']} h1")
        elif " ".join(seen["title"].split()).find(seen["h1text"]) < 0:  # WCAG 2.4.2: the title names the page
            self.problems.append(f"{where}: the title {seen['title']!r} does not name the page ({seen['h1text']!r})")
        if seen["scroll"] > seen["client"] or seen["wide"]:
            self.problems.append(f"{where}: scrolls sideways at {WIDTH}px (scrollWidth {seen['scroll']} > "
                                 f"{seen['client']}); too wide: {', '.join(seen['wide'])}")
        if seen["skipped"]:
            self.problems.append(f"{where}: a heading level skipped: {', '.join(seen['skipped'])}")
        if seen["machine"] and self.dates and not path.startswith(DOCUMENTS_FORMATS):
            self.problems.append(f"{where}: a date not written for people: {', '.join(seen['machine'])}")
        text = seen["own"]
        for value in self.data:
            text = text.replace(value, " ")
        # A quotation is not interface text (the guide quotes the Spanish button label).
        text = QUOTED.sub(" ", text)
        left = sorted(f for f in self.foreign[lang] if f in text)
        if left:
            self.problems.append(f"{where}: text of the other language left in the page [{lang}]: {left[:5]}")
        blocking = [v for v in browser.axe_violations() if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.problems.append(f"{where}: axe-core:\n{describe_violations(blocking)}")
        csp = browser.csp_violations()
        if csp:
            self.problems.append(f"{where}: CSP violations {csp[:2]}")

    def pages(self, visits: list[Visit], state: dict[str, str] | None = None) -> None:
        for lang in LANGUAGES:
            self.language(lang)
            for visit in visits:
                self.page(visit, lang, state or {})

    def report(self) -> None:
        assert not self.problems, f"{len(self.problems)} problems at {WIDTH}px:\n" + "\n".join(self.problems)


def _visits(role: str, *, needing_state: bool) -> list[Visit]:
    return [v for r, visits in PAGES.values() if r == role for v in visits
            if ("{" in v.path) == needing_state]


@pytest.mark.browser
def test_public_pages_reflow_and_are_accessible_in_both_languages(browser):
    walk = Walk(browser)
    walk.pages(_visits(PUBLIC, needing_state=False) + ERROR_PAGES)
    walk.report()


def _everyone(browser: Browser, server: LiveServer, tmp_path, monkeypatch) -> None:
    """One sign-in: a citizen proofed in person, with an attested security key, who is also
    an operator and a registrar."""
    from idp.citizens.models import Citizen
    from idp.registrar.services import grant
    from infra.db import get_db
    from tests.browser.test_operator import _operator

    _operator(browser, server, tmp_path, monkeypatch)
    with get_db(server.app).transaction() as session:
        person = session.query(Citizen).one()
        grant(session, citizen=person, service_point="Oficina Centro", operator="tester",
              now=datetime.now(UTC))


def _account_state(server: LiveServer, *, spare_passkey: bool) -> dict[str, str]:
    """What the account's confirmation pages and the registrar's enrolment pages need: a
    second passkey (the only one cannot be deleted), another session of the citizen's, the
    consent given, and an identity enrolled at the service point with its passkey step open."""
    import json
    import os
    import time
    import uuid

    import sqlalchemy as sa

    from idp.citizens.models import Citizen, Passkey
    from idp.consent.models import Consent
    from idp.registrar.enrolment import _ticket
    from idp.sessions import session_policy
    from idp.sessions.records import create
    from infra.db import get_db
    from infra.jose import b64url
    from infra.store import get_store
    from tests.idp.conftest import dui

    now = datetime.now(UTC)
    store = get_store(server.app)
    with get_db(server.app).transaction() as db:
        person = db.scalars(sa.select(Citizen).where(Citizen.passkeys.any()).order_by(Citizen.created_at)).first()
        consent = db.scalars(sa.select(Consent).where(Consent.citizen_id == person.id)).first()
        spare = os.urandom(16)
        if spare_passkey:
            db.add(Passkey(citizen_id=person.id, credential_id=spare, public_key=b"\xa0", sign_count=0,
                           aaguid="00000000-0000-0000-0000-000000000000", attestation_format="none",
                           transports=["usb"], backup_eligible=False, backed_up=False,
                           name="Llave de reserva", created_at=now))
        enrolled = Citizen(id=uuid.uuid4(), user_handle=os.urandom(32), given_name="Rosa",
                           family_name="Quintanilla", birthdate=now.date().replace(year=1980),
                           national_id_scheme=person.national_id_scheme, national_id=dui(44444444),
                           email="rosa.q@example.sv", created_at=now)
        db.add(enrolled)
        person_id = person.id
        consent_id = consent.id if consent is not None else ""
    other = create(store, session_policy(server.app), citizen_id=str(person_id), amr=("hwk", "user"),
                   user_agent="Mozilla/5.0 (Android 14; Mobile) Firefox/128.0", credential_id=None,
                   recovery=False, now=time.time())
    store.set(_ticket(enrolled.id), json.dumps({"registrar": f"registrar:{person_id}"}).encode(), 3600)
    return {"spare_passkey": b64url(spare), "other_sid": other.session.sid,
            "consent_id": str(consent_id), "enrolled": str(enrolled.id)}


@pytest.mark.browser
def test_signed_in_pages_reflow_and_are_accessible_in_both_languages(browser, server, agency, tmp_path,
                                                                    monkeypatch):
    from tests.idp.conftest import dui
    from tests.idp.conftest import enrol as enrol_over_http
    from tests.support.authenticator import SoftwareAuthenticator

    _everyone(browser, server, tmp_path, monkeypatch)
    other = enrol_over_http(server.app.test_client(), SoftwareAuthenticator(origin=server.url),
                            national_id=dui(22222222), email="eva@example.sv")
    state = {"consent": agency.authorize_path(), "client_id": agency.client_id,
             "other": str(other.citizen_id)}
    walk = Walk(browser)
    # The consent page, before the citizen decides.
    walk.pages([Visit("{consent}", wait="form.consent-form")], state)

    browser.open(agency.authorize_path())
    browser.wait_for("button[name=decision][value=allow]").click()
    browser.wait(lambda d: d.current_url.startswith(agency.redirect_uri), "expected the agency's callback")
    claims, _info = agency.redeem(browser.driver.current_url)
    document, pdf = agency.issue_residence(claims["sub"])
    sealed = tmp_path / "certificado.pdf"
    sealed.write_bytes(pdf)
    browser.open("/account/sign")
    browser.wait_for("#document").send_keys(str(sealed))
    browser.one("#document").submit()
    browser.wait_for("#confirm-sign")
    state |= _account_state(server, spare_passkey=True) | {
              "document_id": document["id"], "csv": document["csv"], "review": browser.full_path,
              "end_session": "/end-session?" + f"client_id={agency.client_id}&post_logout_redirect_uri="
              + quote(agency.after_logout, safe="")}

    visits = [v for v in _visits(SIGNED_IN, needing_state=False) + _visits(SIGNED_IN, needing_state=True)
              + _visits(PUBLIC, needing_state=True) if v.path != "{consent}"]
    # No exception for the document's title: issued in Spanish, English pages name it in English.
    walk.pages(visits, state)
    walk.report()


portals = test_sso_portals.portals  # the demo portals, served for this module's test too


@pytest.mark.browser
def test_portal_pages_reflow_and_are_accessible_in_both_languages(browser, portals):
    from tests.browser.test_sso_portals import enrol_at_portal

    registry = portals["registry"]
    # The demo portal is an agency's site, not the provider's: it writes the sign-in's time in UTC.
    walk = Walk(browser, base=registry.url, dates=False)
    signed_out = PORTAL_PAGES["/"][0]
    walk.pages([signed_out])
    enrol_at_portal(browser, registry)
    walk.pages([v for visits in PORTAL_PAGES.values() for v in visits if v is not signed_out])
    walk.report()



@pytest.mark.browser
def test_demo_pages_reflow_and_are_accessible_in_both_languages(browser, demo_server):
    walk = Walk(browser, base=demo_server.url)
    walk.pages([v for visits in DEMO_PAGES.values() for v in visits])
    walk.report()


@pytest.mark.browser
def test_the_reclaim_code_page_reflows_and_is_accessible_in_both_languages(browser, server):
    """/reclaim/code needs a claim in progress: someone enrolled with the holder's details, the
    holder claims them back and asks for a code; then the page with the code field and the page
    with a refused code (error summary), at 320 px, es and en."""
    from tests.browser.flows import enrol_on_new_device, fill_person, new_person
    from tests.browser.test_proofing import _register

    person = new_person()
    _register(server.app, person, f"registro.{person.national_id[:8]}@correo.example")
    enrol_on_new_device(browser, person)  # the impostor, first
    browser.driver.delete_all_cookies()
    browser.new_device()
    browser.open("/reclaim")
    form = browser.wait_for("form#reclaim-form")
    fill_person(browser, form, person, email="real.holder@example.sv")
    browser.one("#reclaim-submit").click()
    browser.wait_for_path("/reclaim/code")
    walk = Walk(browser)
    walk.pages([Visit("/reclaim/code", wait="form#code-request")])
    browser.open("/reclaim/code")
    browser.wait_for("form#code-request button[type=submit]").click()
    browser.wait_for("form#code-entry")
    walk.pages([Visit("/reclaim/code", wait="form#code-entry"),
                Visit("/reclaim/code?code=wrong", wait="#form-error")])
    walk.report()
