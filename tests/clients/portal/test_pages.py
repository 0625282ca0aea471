"""The demo portal's pages in-process: claims for people, the step-up page, the documents page's
guards and the link to the developer guide. The provider is not contacted (its metadata is given)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from clients.portal.app import create_portal
from clients.portal.claims import ACR_SUBSTANTIAL
from clients.portal.component import get_portal
from clients.portal.config import PortalConfig
from clients.portal.documents import Issued
from clients.portal.sessions import PortalSession

ISSUER = "http://cedula.test"
BASE = "https://registro.example.gov"
LOW = "http://eidas.europa.eu/LoA/low"


@pytest.fixture
def portal():
    app = create_portal(PortalConfig(name="Registro Civil", base_url=BASE, issuer=ISSUER, client_id="registro",
                                     client_secret="secret", can_issue_documents=True))
    get_portal(app).provider.server_metadata.update({
        "_loaded_at": time.time(), "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks.json",
        "userinfo_endpoint": f"{ISSUER}/userinfo", "end_session_endpoint": f"{ISSUER}/end-session"})
    return app


def _signed_in(portal, browser, **claims) -> PortalSession:
    current = PortalSession(claims={"sub": "pairwise-1", "sid": "sid-1", "given_name": "Rosa", "family_name": "Díaz",
                                    "birthdate": "1990-05-17", "national_id": "00000019-9", **claims},
                            id_token="id-token", token={})
    key = get_portal(portal).sessions.create(current)
    with browser.session_transaction() as cookie:
        cookie["portal_session"] = key
    return current


def test_claims_are_shown_for_people_with_the_raw_data_under_technical_details(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW, amr=["hwk", "user"])
    html = browser.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<tr data-claim="birthdate"><th scope="row">Fecha de nacimiento</th><td>17 de mayo de 1990</td></tr>' in html
    assert "Bajo: la identidad es la que declaró" in html
    assert "[&#39;hwk&#39;" not in html and "['hwk'" not in html  # no Python repr anywhere
    assert '<tr data-claim="amr"><th scope="row"><code>amr</code></th><td><code>["hwk", "user"]</code>' in html
    assert f'href="{ISSUER}/developers"' in html


def test_english_follows_accept_language(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    html = browser.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<th scope=\"row\">Date of birth</th><td>May 17, 1990</td>" in html


def test_the_level_page_asks_a_signed_out_citizen_to_sign_in_at_level_substantial(portal):
    html = portal.test_client().get("/level").get_data(as_text=True)
    assert 'href="/login?level=substantial"' in html and 'id="register-data"' not in html


def test_step_up_asks_for_acr_values_and_comes_back_to_the_page(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    page = browser.get("/level", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Low: the identity is the one you gave" in page and 'id="register-data"' not in page
    assert "00000019-9" not in page  # the register data waits for the level
    login = browser.get("/login?level=substantial")
    assert login.status_code == 302
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    assert query["acr_values"] == [ACR_SUBSTANTIAL]
    assert query["code_challenge_method"] == ["S256"]
    with browser.session_transaction() as cookie:
        assert cookie["return_to"] == "/level"
    plain = browser.get("/login")
    assert "acr_values" not in parse_qs(urlsplit(plain.headers["Location"]).query)
    with browser.session_transaction() as cookie:
        assert "return_to" not in cookie


def test_the_level_page_shows_the_register_data_once_the_id_token_says_substantial(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=ACR_SUBSTANTIAL)
    page = browser.get("/level", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'id="level-granted"' in page and "00000019-9" in page and "17 de mayo de 1990" in page
    assert 'id="level-start"' not in page


def test_a_level_that_cannot_be_reached_says_what_to_do(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    answer = browser.get("/callback?error=unmet_authentication_requirements&state=x")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/level?notice=unmet")
    page = browser.get("/level?notice=unmet", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="level-unmet"' in page and "service office" in page


def test_documents_need_a_signed_in_citizen(portal):
    browser = portal.test_client()
    assert browser.get("/documents").status_code == 303
    assert browser.get("/documents/anything.pdf").status_code == 404


def test_a_citizen_cannot_fetch_a_document_issued_to_someone_else(portal):
    rosa, luis = portal.test_client(), portal.test_client()
    _signed_in(portal, rosa, acr=LOW).issued.append(Issued(id="doc-rosa", csv="CSV-R", verify_url="/verify"))
    _signed_in(portal, luis, acr=LOW, sub="pairwise-2")
    assert luis.get("/documents/doc-rosa.pdf").status_code == 404


def test_no_documents_yet_says_so_and_offers_one(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    page = browser.get("/documents", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="documents-none"' in html and 'id="issue-birth"' in html


@pytest.mark.parametrize("path", ["/", "/level", "/documents"])
def test_pages_are_csp_clean(portal, path):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    response = browser.get(path)
    html = response.get_data(as_text=True)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html  # no inline script


# 2025-12-05 04:00 UTC: the evening of 4 December in El Salvador (UTC-6).
AUTH_TIME = 1764907200


def _auth_time_row(html: str) -> str:
    found = re.search(r'<tr data-claim="auth_time"><th scope="row">[^<]*</th><td>([^<]*)</td>', html)
    assert found, "no auth_time row"
    return found.group(1)


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "4 de diciembre de 2025, 22:00"), ("en", "December 4, 2025, 10:00\u202fPM")])
def test_the_sign_in_time_is_in_the_citizens_time_zone_and_language(portal, lang, expected):
    """auth_time was written in UTC ("5 de diciembre de 2025, 4:00:00 UTC"): hours off for the
    citizen. The portal learns the device's zone as Cédula does (the `tz` cookie, set by its
    timezone.js) and writes the time there, without a zone the citizen must work out."""
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW, auth_time=AUTH_TIME)
    browser.set_cookie("tz", "America/El_Salvador", domain="localhost")
    page = browser.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert _auth_time_row(page) == expected
    assert '<script src="/static/timezone.js" defer></script>' in page


def test_without_the_devices_zone_the_time_is_the_portals_with_its_offset(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW, auth_time=AUTH_TIME)
    page = browser.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert _auth_time_row(page) == "4 de diciembre de 2025, 22:00 (GMT-06:00)"
    assert "UTC" not in page.split('id="claims-raw"')[0]


def test_a_forged_zone_cookie_is_ignored(portal):
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW, auth_time=AUTH_TIME)
    browser.set_cookie("tz", "Nowhere/Atlantis", domain="localhost")
    page = browser.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert _auth_time_row(page) == "4 de diciembre de 2025, 22:00 (GMT-06:00)"


@pytest.mark.parametrize(("lang", "sentence"), [
    ("es", "El formulario caducó. Recargue la página e inténtelo de nuevo."),
    ("en", "The form expired. Reload the page and try again."),
])
def test_an_expired_form_is_the_portals_error_page_in_the_visitors_language(portal, lang, sentence):
    response = portal.test_client().post("/logout", data={"csrf_token": "stale"}, headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<html lang="{lang}">' in page and sentence in page


def test_the_portal_has_a_language_switch_that_is_remembered(portal):
    """The portal followed only the browser's Accept-Language: a citizen with a Spanish browser
    who reads English (or the other way round) had no way to change it, and came back from
    Cédula in English to a Spanish portal. Each page now offers both languages (each name in its
    own language), and the choice stays."""
    browser = portal.test_client()
    page = browser.get("/level", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert '<a href="/language/en?next=/level" lang="en" hreflang="en">English</a>' in page
    assert 'lang="es" hreflang="es" aria-current="true">Español</a>' in page
    chosen = browser.get("/language/en?next=/level")
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/level"
    again = browser.get("/level", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in again and "Sign in" in again


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_language_switch_returns_only_to_the_portals_own_pages(portal, target):
    chosen = portal.test_client().get("/language/en", query_string={"next": target})
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/"


def test_an_unknown_language_is_not_found(portal):
    assert portal.test_client().get("/language/fr").status_code == 404


def test_sign_in_asks_cedula_to_speak_the_portals_language(portal):
    browser = portal.test_client()
    browser.get("/language/en")
    login = browser.get("/login", headers={"Accept-Language": "es"})
    assert parse_qs(urlsplit(login.headers["Location"]).query)["ui_locales"] == ["en"]


@pytest.mark.parametrize(("lang", "next_step"), [
    ("es", "Vuelva al inicio y pulse «Entrar con Cédula»"), ("en", "Go back to the start page and press")])
def test_a_failed_sign_in_says_what_to_do_and_marks_the_technical_detail_as_english(portal, lang, next_step):
    """The page showed the library's exception text, in English even on a Spanish page, and
    nothing to do: an answer that does not match a sign-in this browser started (an old tab,
    the back button) left the citizen stuck."""
    response = portal.test_client().get("/callback?code=abc&state=not-ours", headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert next_step in page.replace("&#34;", '"').replace("&#8220;", "“")
    message = re.search(r'<p class="notice" role="alert"[^>]*>([^<]*)</p>', page).group(1)
    assert "state" not in message.lower()  # the exception is not the message
    assert re.search(r'<span lang="en">[^<]+</span>', page)


def test_two_issued_documents_keep_every_id_on_the_page_unique(portal):
    """Each document issued in the session repeated id="issued" and id="verify-link": a
    second one made two elements with each id (a link or label pointing at it finds the first)."""
    browser = portal.test_client()
    current = _signed_in(portal, browser, acr=LOW)
    current.issued.extend([Issued(id="doc-1", csv="CSV-1", verify_url="/verify/1"),
                           Issued(id="doc-2", csv="CSV-2", verify_url="/verify/2")])
    page = browser.get("/").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert page.count('id="issued"') == 1 and page.count('id="verify-link"') == 1


@pytest.mark.parametrize(("lang", "heading"), [
    ("es", "No encontramos esta página"), ("en", "We could not find this page")])
@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no-such-page", 404), ("GET", "/language/fr", 404), ("PUT", "/", 405), ("GET", "/logout", 405)])
def test_an_unknown_page_or_method_is_the_portals_page_in_the_visitors_language(portal, lang, heading, method,
                                                                               path, status):
    """The portal answered a mistyped address, or a bookmarked /logout, with werkzeug's own page:
    English on a Spanish portal ("Not Found", "Method Not Allowed"), outside the portal's layout,
    and with nothing to do but guess."""
    response = portal.test_client().open(path, method=method, headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert f'<html lang="{lang}">' in page and "Not Found" not in page and "Method Not Allowed" not in page
    if status == 404:
        assert f"<h1>{heading}</h1>" in page
    assert '<a href="/">' in page and 'role="alert"' in page


@pytest.mark.parametrize(("lang", "sentence"), [
    ("es", "No pudimos conectar con Cédula"), ("en", "We could not reach Cédula")])
def test_sign_in_while_cedula_is_unreachable_says_so_and_what_to_do(lang, sentence):
    """/login with the provider down (its discovery document unreachable) raised out of the view:
    a 500 "Internal Server Error" page, in English, for a citizen who only pressed the button."""
    app = create_portal(PortalConfig(name="Registro Civil", base_url=BASE, issuer="http://127.0.0.1:9",
                                     client_id="registro", client_secret="secret"))
    response = app.test_client().get("/login", headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    assert response.status_code == 502
    assert f'<html lang="{lang}">' in page and sentence in page
    assert "Internal Server Error" not in page


def test_the_language_switch_keeps_the_page_with_its_message(portal):
    """The switch linked to the path alone: a citizen told on /level?notice=unmet why the level was
    not reached lost that message on switching language."""
    browser = portal.test_client()
    page = browser.get("/level?notice=unmet", headers={"Accept-Language": "es"}).get_data(as_text=True)
    link = re.search(r'<a href="(/language/en\?next=[^"]*)"', page).group(1)
    chosen = browser.get(link.replace("&amp;", "&"))
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/level?notice=unmet"


def test_saying_no_on_cedula_lands_on_the_start_page_that_says_so_in_either_language(portal):
    """The refusal was shown at /callback?error=access_denied&state=...: switching language there
    asked for /callback again without the answer, and the citizen got "we could not complete the
    sign-in" instead of the refusal in the other language."""
    browser = portal.test_client()
    answer = browser.get("/callback?error=access_denied&state=abc")
    assert answer.status_code == 303 and answer.headers["Location"] == "/?notice=denied"
    for lang, sentence in (("es", "No autorizó compartir sus datos"), ("en", "You did not allow sharing")):
        browser.get(f"/language/{lang}")
        page = browser.get("/?notice=denied").get_data(as_text=True)
        assert sentence in page and 'href="/language/' in page
