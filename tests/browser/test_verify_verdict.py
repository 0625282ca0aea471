"""Issue 19: the verification page says one verdict first, as its h1, with what it means and
what to do, in Spanish and English; details are folded away below; a well-formed code no
document has is a possible forgery that can be reported. axe-core, no CSP violations, 320 px."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_accessibility import check_page
from tests.browser.test_accessibility_services import (
    assert_reflows,
    consent_with_keyboard,
    signed_in_citizen,
)

pytestmark = pytest.mark.browser
LANGUAGES = ["es", "en"]
TITLES = {("valid", "es"): "Documento válido", ("valid", "en"): "Valid document",
          ("revoked", "es"): "Documento revocado", ("revoked", "en"): "Document revoked",
          ("not_found", "es"): "Posible documento falso",
          ("not_found", "en"): "Possible forged document"}


def _verdict(browser, lang: str, expected: str) -> None:
    heading = browser.wait_for("h1#verdict-title")
    assert heading.get_attribute("data-verdict") == expected
    assert TITLES[(expected, lang)] in heading.text
    box = browser.one("#verdict")
    assert box.get_attribute("role") == ("status" if expected == "valid" else "alert")
    assert box.text.strip()
    check_page(browser, lang)
    assert_reflows(browser, f"verify-{expected}")


def test_verdicts_in_both_languages(browser, agency):
    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    document, _ = agency.issue_residence(claims["sub"])
    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/verify/{document['csv']}")
        _verdict(browser, lang, "valid")
        details = browser.one("details#details")
        assert not browser.one("#report-heading").is_displayed()
        details.find_element("css selector", "summary").click()
        browser.wait_for("#report-heading")
        check_page(browser, lang)

    for lang in LANGUAGES:
        browser.choose_language(lang, then="/verify/7KQ4-M2XH-9PRT-WC3N-B8DA")
        _verdict(browser, lang, "not_found")
        browser.one("#where").send_keys("Mercado central")
        browser.one("#report button[type=submit]").click()
        browser.wait_for("#reported")
        check_page(browser, lang)

    web = agency.app.test_client()
    token = web.post("/token", headers=agency._basic(), data={"grant_type": "client_credentials"})
    revoked = web.post(f"/api/documents/{document['id']}/revoke", content_type="application/json",
                       headers={"Authorization": "Bearer " + token.get_json()["access_token"]},
                       data=json.dumps({"reason": "Datos erróneos"}))
    assert revoked.status_code == 200, revoked.get_json()
    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/verify/{document['csv']}")
        _verdict(browser, lang, "revoked")


def test_a_citizen_signed_document_is_said_as_such(browser, agency):
    """The code of a document a citizen signed with Cédula leads to a valid citizen's
    signature, said as such: who signed and when, not issued by an agency."""
    import hashlib
    import os
    from datetime import UTC, datetime

    from infra.config import get_settings
    from signing.approval import Approval
    from signing.citizen_signature import sign
    from signing.service import CitizenRef, get_documents
    from tests.signing.verify.samples import blank_pdf
    from tests.support.authenticator import SoftwareAuthenticator, b64url, from_b64url

    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    agency.issue_residence(claims["sub"])  # the document PKI is in place
    pdf = blank_pdf()
    citizen = CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="María José",
                         family_name="Núñez Peña", national_id="04892613-3")
    settings = get_settings(agency.app)
    key = SoftwareAuthenticator(origin=settings.origin, rp_id=settings.rp_id)
    challenge = hashlib.sha256(pdf).digest() + os.urandom(32)
    response = key.authenticate({"challenge": b64url(challenge)}, user_handle=b"u")["response"]
    approval = Approval(
        authenticator_data=from_b64url(response["authenticatorData"]),
        client_data_json=from_b64url(response["clientDataJSON"]),
        signature=from_b64url(response["signature"]), credential_id=key.credential_id,
        credential_public_key=key.cose_public_key(), aaguid=key.aaguid, user_verified=True,
        level="substantial", approved_at=datetime.now(UTC))
    document = sign(get_documents(agency.app), citizen=citizen, pdf=pdf, approval=approval,
                    file_name="contrato.pdf")
    titles = {"es": "Firma válida de una persona", "en": "Valid signature of a citizen"}
    for lang in LANGUAGES:
        browser.choose_language(lang, then=f"/verify/{document.csv}")
        heading = browser.wait_for("h1#verdict-title")
        assert heading.get_attribute("data-verdict") == "valid" and titles[lang] in heading.text
        assert browser.one("#verdict").get_attribute("role") == "status"
        section = browser.one("#citizen-signed")
        assert "María José Núñez Peña" in section.text
        assert not browser.all("#document-heading")
        check_page(browser, lang)
        assert_reflows(browser, "verify-citizen-signed")
