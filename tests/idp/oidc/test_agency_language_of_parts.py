"""Language of parts (WCAG 2.2 SC 3.1.2, level AA): an agency's name and purpose show in the
language the agency registered them in, which need not be the page's; the element showing them
carries `lang` then, so a screen reader reads Spanish with Spanish rules on an English page and
the reverse. An untagged value (`purpose`, not `purpose#es`) is in the operator's
`i18n.untagged_language` ("es" by default)."""

from __future__ import annotations

import lxml.html

from clients.registry import find_client
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, decide

PURPOSE_ES = "Emitir su certificado de nacimiento"
PURPOSE_EN = "Issue your birth certificate"


def _page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return lxml.html.fromstring(response.get_data(as_text=True)), response


def _lang_of(doc, xpath: str) -> str | None:
    """The `lang` the element found by `xpath` or its nearest marked ancestor below <html> has."""
    (element,) = doc.xpath(xpath)
    while element is not None and element.tag != "html":
        if element.get("lang"):
            return element.get("lang")
        element = element.getparent()
    return None


def test_untagged_spanish_purpose_on_an_english_consent_page_is_marked_spanish(client, citizen, register):
    agency = register(client_name="Registro Nacional", purpose=PURPOSE_ES)
    client.set_cookie("lang", "en")
    doc, _ = _page(client, authorize_url(agency, Flow()))
    assert doc.get("lang") == "en"
    assert doc.xpath('//*[@id="purpose"]')[0].text_content() == PURPOSE_ES
    assert _lang_of(doc, '//*[@id="purpose"]') == "es"
    assert _lang_of(doc, '//*[@id="agency-name"]') == "es"
    # The name inside the page's English sentence is a part of its own.
    assert doc.xpath('//p[@class="lead"]//span[@lang="es"]/text()') == ["Registro Nacional"]


def test_english_name_and_purpose_on_a_spanish_consent_page_are_marked_english(client, citizen, register):
    # The agency named itself only in English: the Spanish page shows that name, in English.
    agency = register(**{"client_name#en": "National Registry", "purpose#en": PURPOSE_EN, "purpose": PURPOSE_ES})
    with get_db(client.application).transaction() as session:  # registration adds an untagged name
        found = find_client(session, agency.client_id)
        found.client_metadata = {k: v for k, v in found.client_metadata.items() if k != "client_name"}
    client.set_cookie("lang", "es")
    doc, _ = _page(client, authorize_url(agency, Flow()))
    assert doc.get("lang") == "es"
    assert doc.xpath('//*[@id="agency-name"]')[0].text_content() == "National Registry"
    assert _lang_of(doc, '//*[@id="agency-name"]') == "en"
    assert doc.xpath('//p[@class="lead"]//span[@lang="en"]/text()') == ["National Registry"]
    # The untagged purpose is the default language's: nothing to mark on a Spanish page.
    assert doc.xpath('//*[@id="purpose"]')[0].text_content() == PURPOSE_ES
    assert _lang_of(doc, '//*[@id="purpose"]') is None


def test_a_value_in_the_page_language_is_not_marked(client, citizen, register):
    agency = register(client_name="Registro Nacional", purpose=PURPOSE_ES, **{"purpose#en": PURPOSE_EN})
    for language, purpose in (("es", PURPOSE_ES), ("en", PURPOSE_EN)):
        client.set_cookie("lang", language)
        doc, _ = _page(client, authorize_url(agency, Flow()))
        assert doc.xpath('//*[@id="purpose"]')[0].text_content() == purpose
        assert _lang_of(doc, '//*[@id="purpose"]') is None


def test_the_operator_says_what_language_untagged_values_are_in(client, citizen, register, oidc_app):
    from infra.config import get_settings

    agency = register(client_name="National Registry", purpose=PURPOSE_EN)
    i18n = get_settings(oidc_app)["i18n"]
    assert i18n["untagged_language"] == "es"  # the shipped default
    client.set_cookie("lang", "es")
    doc, _ = _page(client, authorize_url(agency, Flow()))
    assert _lang_of(doc, '//*[@id="purpose"]') is None  # taken for Spanish: wrong, but told so

    i18n["untagged_language"] = "en"  # type: ignore[index]
    try:
        doc, _ = _page(client, authorize_url(agency, Flow()))
        assert _lang_of(doc, '//*[@id="purpose"]') == "en"
    finally:
        i18n["untagged_language"] = "es"  # type: ignore[index]


def test_the_account_pages_mark_the_agency_name_and_the_purpose_consented_to(client, citizen, register):
    agency = register(client_name="Registro Nacional", purpose=PURPOSE_ES)
    client.set_cookie("lang", "es")
    page = client.get(authorize_url(agency, Flow()))
    assert decide(client, page).status_code in (302, 303)
    client.set_cookie("lang", "en")

    doc, _ = _page(client, "/account/agencies")
    assert doc.get("lang") == "en"
    (card,) = doc.xpath('//li[contains(@class, "agency")]')
    (name,) = card.xpath('.//h2[@class="agency-name"]')
    assert name.text_content() == "Registro Nacional" and name.get("lang") == "es"
    # The purpose is the consent's stored snapshot: it reads as the untagged registered one.
    (purpose,) = card.xpath(f'.//dd[normalize-space()="{PURPOSE_ES}"]')
    assert purpose.get("lang") == "es"
    # The name inside the English button text is a part of its own.
    assert card.xpath('.//button//span[@lang="es"]/text()') == ["Registro Nacional"]

    (link,) = card.xpath('.//a[@class="receipt-page"]/@href')
    doc, _ = _page(client, link)
    assert _lang_of(doc, '//*[@id="receipt-agency"]') == "es"
    (purpose,) = doc.xpath(f'//dd[normalize-space()="{PURPOSE_ES}"]')
    assert purpose.get("lang") == "es"

    doc, _ = _page(client, "/account/log")
    assert doc.xpath(f'//span[@class="hint"][normalize-space()="{PURPOSE_ES}"]/@lang') == ["es"]
