"""Issue #19 in Chromium: the consent page names the agency with its logo and its name in the
citizen's language; a registrar enrols a person at a service point and binds a security key
(the virtual authenticator) on their own computer. Every page: axe-core, one h1, no CSP
violation, es and en."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.agency import AGENCY_NAME
from tests.browser.test_accessibility_services import (
    CLAIMS,
    LANGUAGES,
    Pages,
    assert_reflows,
    signed_in_citizen,
)
from tests.support.civil_register import register_person
from tests.support.images import png
from tests.support.national_ids import dui

pytestmark = pytest.mark.browser
ENGLISH_NAME = "Civil Registry of the Republic"


def _localise(app, client_id: str) -> str:
    """The agency's name in English and an operator-uploaded logo; the logo's URL."""
    from clients.registry.logos import upload_logo, url_of
    from clients.registry.models import Client
    from infra.db import get_db

    with get_db(app).transaction() as session:
        client = session.query(Client).filter_by(client_id=client_id).one()
        client.client_metadata = {**client.client_metadata, "client_name#en": ENGLISH_NAME}
        return url_of(upload_logo(session, client_id=client_id, data=png(96, 96)))


def test_consent_page_shows_the_logo_and_the_name_in_each_language(browser, agency):
    logo = _localise(agency.app, agency.client_id)
    assert agency.app.test_client().get(logo).status_code == 200
    pages = Pages(browser)
    # Signed out: the sign-in page already names the agency, with its logo.
    browser.new_device()
    for lang in LANGUAGES:
        browser.choose_language(lang, then=quote(agency.authorize_path(), safe="/"))
        browser.wait_for("#agency-logo")
        assert browser.path == "/login"
        assert browser.one("#agency-logo").get_attribute("alt") == (ENGLISH_NAME if lang == "en" else AGENCY_NAME)
        pages.check("sign-in-agency", lang)
    signed_in_citizen(browser)
    path = agency.authorize_path(claims=CLAIMS)
    pages.visit("consent", path, wait="form.consent-form")
    for lang in LANGUAGES:
        browser.choose_language(lang, then=quote(path, safe="/"))
        image = browser.wait_for("#agency-logo")
        assert image.get_attribute("src").endswith(logo)
        assert browser.driver.execute_script("return arguments[0].naturalWidth;", image) == 96
        alt = image.get_attribute("alt")
        title = browser.one("h1").text
        if lang == "en":
            assert alt == ENGLISH_NAME and ENGLISH_NAME in title
        else:
            assert alt != ENGLISH_NAME and alt in title
    assert_reflows(browser, "consent-logo")


def test_assisted_enrolment_with_a_security_key(browser, server, agency, tmp_path, monkeypatch):
    from idp.assurance.services import proofing_of
    from idp.citizens.models import Citizen, Passkey
    from infra.db import get_db
    from tests.browser.authenticators import enrol_registrar

    app = server.app
    # the security key plugged into the registrar's computer
    registrar_id = enrol_registrar(browser, app, tmp_path, monkeypatch)

    pages = Pages(browser)
    pages.visit("registrar-enrol", "/registrar/enrol", wait="#enrol-form")
    for lang in LANGUAGES:
        browser.choose_language(lang, then="/registrar/enrol")
        browser.one("#enrol-submit").click()  # empty: every field in error
        browser.wait_for("#form-error")
        pages.check("registrar-enrol:errors", lang)

    browser.choose_language("es", then="/registrar/enrol")
    form = browser.wait_for("#enrol-form")
    person = {"national_id": dui(31313131), "given_name": "Rosa", "family_name": "Martínez Soto",
              "email": "rosa@example.sv"}
    # The desk enrols only a person the civil register holds, with these details (registrar.pages).
    register_person(app, national_id=dui(31313131), given_name="Rosa", family_name="Martínez Soto",
                    birthdate="1955-03-02")
    for name, value in person.items():
        browser.fill(form.find_element("css selector", f"#{name}"), value)
    browser.fill_date(form.find_element("css selector", "#birthdate"), "1955-03-02")
    browser.fill(form.find_element("css selector", "#enrol-document_number"), "A1234567")
    browser.fill_date(form.find_element("css selector", "#enrol-document_expiry"), "2099-01-31")
    browser.one("#enrol-submit").click()
    browser.wait_for("#key-submit")
    pages.check("registrar-enrolment", "es")
    enrolment_path = browser.full_path
    browser.choose_language("en", then=enrolment_path)
    browser.wait_for("#key-submit")
    pages.check("registrar-enrolment", "en")
    assert_reflows(browser, "registrar-enrolment")
    browser.one("#key-submit").click()
    browser.wait_for("#enrolment-done")
    pages.check("registrar-enrolment-done", "en")

    with get_db(app).read() as session:
        person_row = session.query(Citizen).filter(Citizen.id != registrar_id).one()
        assert proofing_of(session, person_row.id) == ("high", "in_person")
        assert session.query(Passkey).filter_by(citizen_id=person_row.id).count() == 1
    browser.open(enrolment_path)
    browser.wait_for("#enrolment-closed")


def test_operator_uploads_a_logo(browser, server, tmp_path, monkeypatch):
    """The console's upload form (multipart, CSRF): an SVG is refused with the reason, a PNG is
    kept and shown from our origin; the agency page passes axe in es and en."""
    from selenium.webdriver.common.by import By

    from tests.browser.test_operator import _operator
    from tests.support.images import SVG

    _operator(browser, server, tmp_path, monkeypatch)
    browser.choose_language("es", then="/operator/agencies/new")
    form = browser.wait_for("#agency-form")
    browser.fill(form.find_element(By.ID, "name"), "Ministerio de Trabajo")
    browser.fill(form.find_element(By.ID, "name_en"), "Ministry of Labour")
    form.find_element(By.ID, "redirect_uris").send_keys("https://trabajo.example/cb")
    browser.one("#agency-submit").click()
    client_id = browser.wait_for_text("#client-id")
    pages = Pages(browser)
    svg, good = tmp_path / "logo.svg", tmp_path / "logo.png"
    svg.write_bytes(SVG)
    good.write_bytes(png(64, 64))
    browser.open(f"/operator/agencies/{client_id}")
    browser.wait_for("#logo-form").find_element(By.ID, "logo-file").send_keys(str(svg))
    browser.one("#upload-logo").click()
    browser.wait_for("#form-error")
    assert "SVG" in browser.one("#form-error").text
    pages.check("operator-agency:logo-refused", "es")
    browser.wait_for("#logo-form").find_element(By.ID, "logo-file").send_keys(str(good))
    browser.one("#upload-logo").click()
    browser.wait_for("#done")
    image = browser.one("#agency-logos img")
    assert image.get_attribute("src").startswith(server.url + "/agency-logos/")
    assert browser.driver.execute_script("return arguments[0].naturalWidth;", image) == 64
    pages.visit("operator-agency", f"/operator/agencies/{client_id}", wait="#agency-logos img")
