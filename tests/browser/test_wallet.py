"""A citizen opens their birth certificate, asks for the wallet offer and sees its QR code
and transaction code; a wallet takes the credential; the verification (CSV) page shows both
forms valid; after the agency revokes the document, both show revoked. The pages pass
axe-core in Spanish and English, without CSP violations, and reflow at 320 CSS pixels."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.flows import enrol_on_new_device, new_person, sign_out
from tests.browser.test_accessibility_services import (
    Pages,
    assert_reflows,
    consent_with_keyboard,
    signed_in_citizen,
)
from tests.signing import samples
from tests.support.wallet import SoftwareWallet, Transport, register_wallet_client

pytestmark = pytest.mark.browser


def _issue_birth(registry, subject: str) -> dict:
    web = registry.app.test_client()
    token = web.post("/token", headers=registry._basic(), data={"grant_type": "client_credentials"})
    bearer = {"Authorization": "Bearer " + token.get_json()["access_token"]}
    response = web.post("/api/documents", headers=bearer, content_type="application/json",
                        data=json.dumps({"template": "birth", "data": samples.BIRTH,
                                         "subject": subject}))
    assert response.status_code == 201, response.get_json()
    return response.get_json() | {"bearer": bearer}


def test_birth_certificate_in_a_wallet_and_both_forms_on_the_csv_page(browser, agency):
    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    document = _issue_birth(agency, claims["sub"])
    pages = Pages(browser)

    browser.open("/account/documents")
    browser.wait_for(f"#doc-{document['id']}")
    browser.one(f"#doc-{document['id']} a[href$='/wallet']").click()
    browser.wait_for("#wallet-offer-form")
    pages.check("wallet-offer")
    browser.one("#wallet-offer-form button").click()
    qr = browser.wait_for("#offer-qr svg")
    assert qr.size["width"] >= 100
    tx_code = browser.wait_for_text("#offer-tx-code")
    link = browser.one("#offer-link").get_attribute("href")
    assert link.startswith("openid-credential-offer://") and re.fullmatch(r"\d{6}", tx_code)
    pages.check("wallet-offer:shown")
    assert_reflows(browser, "wallet-offer")

    wallet = SoftwareWallet(Transport(flask_client=agency.app.test_client()))
    held = wallet.receive(link, tx_code)
    assert held.payload["vct"].endswith("/wallet/types/birth")

    pages.visit("verify-report:wallet", f"/verify/{document['csv']}",
                wait="#other-form-dc-sd-jwt")
    assert browser.one("#other-form-dc-sd-jwt").get_attribute("data-status") == "valid"
    assert not browser.all("#withdrawn")
    assert_reflows(browser, "verify-report:wallet")

    revoked = agency.app.test_client().post(
        f"/api/documents/{document['id']}/revoke", headers=document["bearer"],
        content_type="application/json", data=json.dumps({"reason": "Inscripción rectificada"}))
    assert revoked.status_code == 200, revoked.get_json()
    browser.open(f"/verify/{document['csv']}")
    browser.wait_for("#withdrawn")
    assert browser.one("#other-form-dc-sd-jwt").get_attribute("data-status") == "revoked"
    pages.check("verify-report:revoked")


def test_wallet_proofing_and_enrolment_pages(browser, agency):
    pages = Pages(browser)
    pages.visit("wallet-enrol", "/enrol/wallet", wait="#wallet-enrol-form")
    browser.one("#wallet-enrol-form button").click()
    browser.wait_for("#request-qr svg")
    assert browser.one("#request-link").get_attribute("href").startswith("openid4vp://")
    pages.check("wallet-enrol:shown")
    assert_reflows(browser, "wallet-enrol")
    browser.one("#request-continue").click()
    browser.wait_for("#enrol-outcome")
    pages.check("wallet-enrol:waiting")

    signed_in_citizen(browser)
    pages.visit("wallet-proofing", "/account/wallet-proofing", wait="#wallet-proofing-form")
    browser.one("#wallet-proofing-form button").click()
    browser.wait_for("#request-qr svg")
    pages.check("wallet-proofing:shown")
    assert_reflows(browser, "wallet-proofing")
    browser.one("#request-continue").click()
    browser.wait_for("#proofing-outcome")
    pages.check("wallet-proofing:waiting")


def test_a_wallet_asks_for_the_birth_certificate_and_the_citizen_agrees(browser, agency):
    signed_in_citizen(browser)
    claims = consent_with_keyboard(browser, agency)
    _issue_birth(agency, claims["sub"])
    callback = f"{agency.base_url}/wallet-callback"
    register_wallet_client(agency.app, "cartera-ejemplo", callback)
    wallet = SoftwareWallet(Transport(flask_client=agency.app.test_client()))
    wallet.discover(agency.base_url)
    url, _ = wallet.authorization_url(client_id="cartera-ejemplo", redirect_uri=callback,
                                      scope="birth_certificate")
    path = url.split(agency.base_url, 1)[1]
    Pages(browser).visit("wallet-authorize", path, wait="#wallet-authorize-form")
    assert "Cartera Ejemplo" in browser.one("#authorize-question").text
    browser.open(path)
    browser.wait_for("#wallet-authorize-form")
    browser.one("#wallet-authorize-form button[value=allow]").click()
    browser.wait(lambda d: d.current_url.startswith(callback + "?code="), "expected the wallet's callback")


def test_signing_in_with_a_wallet(browser, agency):
    """The sign-in page's wallet button, the request page (QR, link), the wallet's answer
    signing the citizen in, the sessions page naming the method; an unknown PID's page
    offering enrolment; an expired request's page. Spanish and English, axe, CSP, reflow."""
    from urllib.parse import parse_qs, urlsplit

    from idp.wallet import get_wallet, trust
    from tests.idp.wallet.pid import PidIssuer
    from tests.idp.wallet.test_proofing import REVEAL
    from tests.support.wallet import HeldCredential

    issuer = PidIssuer(country="SV")  # the PIDs below say issuing_country SV
    wallet = get_wallet(agency.app)
    path = wallet.settings.trusted_issuers
    trust.write_anchors(path, trust.load_pem_bundle(issuer.ca_pem))
    wallet.fetch_revocation = issuer.serve
    wallet.fetch_status = issuer.serve_status
    holder = SoftwareWallet(Transport(flask_client=agency.app.test_client()))

    def share(**person) -> str:
        link = browser.one("#request-link").get_attribute("href")
        params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        claims = {"family_name": person["family_name"], "given_name": person["given_name"],
                  "birthdate": person["birthdate"],
                  "personal_administrative_number": person["national_id"], "issuing_country": "SV"}
        pid = HeldCredential(issuer.issue(holder_jwk=holder.key.as_dict(private=False), claims=claims))
        answer = agency.app.test_client().post("/wallet/presentations/response", data={
            "vp_token": json.dumps({"pid": [holder.present(pid, reveal=REVEAL, nonce=params["nonce"],
                                                           audience=params["client_id"])]}),
            "state": params["state"]})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["redirect_uri"]

    try:
        person = new_person()
        enrol_on_new_device(browser, person)
        sign_out(browser)

        pages = Pages(browser)
        pages.visit("login", "/login", wait="#wallet-signin")
        assert_reflows(browser, "login")
        browser.one("#wallet-signin button").click()
        browser.wait_for("#request-qr svg")
        assert browser.one("#request-link").get_attribute("href").startswith("openid4vp://")
        pages.check("wallet-sign-in:shown")
        assert_reflows(browser, "wallet-sign-in")
        redirect_uri = share(**person.fields())
        browser.open(urlsplit(redirect_uri).path + "?" + urlsplit(redirect_uri).query)
        browser.wait_for_path("/account")
        pages.visit("sessions", "/account/sessions", wait="[data-method='wallet']")
        sign_out(browser)

        browser.open("/login")
        browser.wait_for("#wallet-signin button").click()
        browser.wait_for("#request-qr svg")
        # across devices: the wallet's phone shows a code, typed here before anything happens
        landing = urlsplit(share(**(person.fields() | {"national_id": new_person().national_id})))
        phone = agency.app.test_client().get(landing.path + "?" + landing.query).get_data(as_text=True)
        code = re.search(r'id="handover-code">([A-Z0-9-]+)<', phone).group(1)
        browser.one("#request-continue").click()
        browser.wait_for("#handover-form")
        pages.check("wallet-handover")
        assert_reflows(browser, "wallet-handover")
        browser.fill(browser.one("#code"), code)
        browser.submit_and_wait("#handover-submit")
        outcome = browser.wait_for("#sign-in-outcome")
        assert outcome.get_attribute("data-status") == "unknown"
        assert browser.one("#sign-in-enrol").get_attribute("href").endswith("/enrol/wallet")
        pages.check("wallet-sign-in:unknown")
        assert_reflows(browser, "wallet-sign-in:unknown")
        pages.visit("wallet-sign-in:expired", "/login/wallet/done?state=" + "x" * 43,
                    wait="#sign-in-outcome")
    finally:
        del wallet.fetch_revocation
        del wallet.fetch_status
        path.unlink(missing_ok=True)
