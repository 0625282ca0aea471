"""Issue 12 end to end in Chromium: only a verified person signs, and anyone can check it.

A citizen enrols with a passkey (Chromium's virtual authenticator) and is self-asserted:
the signing page refuses and points to the proofing page. Their identity is then proven,
the citizen signs a PDF at /account/sign with the passkey, and the verification page shows
the approval evidence embedded in the signature: approved with a passkey, user verified,
level substantial.

Proofing route: a registrar checks the citizen's identity card in person (the registrar's
console over HTTP, signed in at level high with an attested security key).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.browser.agency import build_pki, restore_pki
from tests.browser.chromium import Browser
from tests.browser.flows import continue_to_account, enrol, new_person
from tests.idp.conftest import dui
from tests.idp.conftest import enrol as enrol_over_http

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pki_rows(live_server):
    from tests.conftest import empty_store, empty_tables

    empty_tables(live_server.app)
    empty_store(live_server.app)
    return build_pki(live_server.app)


@pytest.fixture
def documents(server, pki_rows):
    """The live server with its document PKI (issuing CA, TSA, OCSP)."""
    restore_pki(server.app, pki_rows)
    return server


def _registrar_checks_identity_card(server, tmp_path, monkeypatch, national_id: str) -> None:
    """At a service office: a registrar (level high) looks the citizen up and records the
    identity card checked face to face; the citizen's proofing becomes high."""
    from idp.assurance.services import raise_proofing
    from idp.citizens.models import Citizen
    from idp.registrar.services import grant
    from infra.db import get_db
    from tests.browser.test_step_up import _install_metadata
    from tests.idp.assurance.conftest import all_formats_listed, device_key
    from tests.idp.conftest import csrf
    from tests.support.attestation import AttestationPki

    app = server.app
    pki = AttestationPki.build()
    _install_metadata(app, tmp_path, monkeypatch, all_formats_listed(pki), pki)
    office = app.test_client()
    agent = enrol_over_http(office, device_key(pki, origin=server.url, counter_step=1),
                            national_id=dui(11111111), email="registro@example.sv")
    now = datetime.now(UTC)
    with get_db(app).transaction() as session:  # the operator made them a registrar
        registrar = session.get(Citizen, uuid.UUID(agent.citizen_id))
        raise_proofing(session, citizen_id=registrar.id, method="in_person", now=now)
        grant(session, citizen=registrar, service_point="Oficina Centro", operator="tester",
              now=now)
    token = csrf(office, "/registrar")
    found = office.post("/registrar/lookup", data={"csrf_token": token,
                                                   "national_id": national_id})
    assert found.status_code == 303, found.get_data(as_text=True)[:500]
    verified = office.post(found.headers["Location"] + "/verify", data={
        "csrf_token": token, "document_type": "national_id_card",
        "document_number": national_id,
        "document_expiry": (date.today() + timedelta(days=700)).isoformat()})
    assert verified.status_code == 303, verified.get_data(as_text=True)[:500]


def _pdf(tmp_path):
    from tests.idp.documents.test_citizen_signing import _pdf as pdf_bytes

    path = tmp_path / "contrato.pdf"
    path.write_bytes(pdf_bytes("Contrato de arrendamiento"))
    return path


def test_enrol_prove_sign_and_verify(browser: Browser, documents, tmp_path, monkeypatch):
    server = documents
    person = new_person(given_name="Rosa Elena", family_name="Martínez Cruz")
    browser.new_device()
    enrol(browser, person)
    continue_to_account(browser)

    # Self-asserted: the signing page refuses, says why, and leads to the proofing page.
    browser.open("/account/sign")
    refusal = browser.wait_for("#sign-refused")
    assert refusal.get_attribute("data-reason") == "identity"
    assert "nivel bajo" in refusal.text
    assert not browser.all("input#document")
    browser.one("#raise-level").click()
    browser.wait_for_path("/account/assurance")
    assert browser.wait_for("#proofing-level").text.startswith("bajo")

    _registrar_checks_identity_card(server, tmp_path / "office", monkeypatch,
                                    person.national_id)
    browser.driver.refresh()
    assert browser.wait_for("#proofing-level").text.startswith("alto")

    # Sign a PDF: choose it, check it, confirm with the passkey.
    browser.open("/account/sign")
    browser.wait_for("input#document").send_keys(str(_pdf(tmp_path)))
    browser.one("input#document").submit()
    browser.wait_for("#confirm-sign").click()
    browser.wait_for_path("/account/documents")
    assert browser.wait_for("[role=status]").text

    from infra.db import get_db
    from signing.models import Document
    from signing.service import get_documents

    with get_db(server.app).read() as session:
        signed = session.query(Document).filter_by(kind="citizen-signed").one()
    assert signed.csv in browser.one("main").text
    pdf = tmp_path / "firmado.pdf"
    pdf.write_bytes(get_documents(server.app).pdf(signed))

    # Anyone verifies it: the page shows who signed, at which level, and the passkey approval.
    browser.open("/verify")
    browser.wait_for("#file").send_keys(str(pdf))
    browser.one("#file").submit()
    report = browser.wait_for("#report-heading").find_element("xpath", "..").text
    assert "Rosa Elena Martínez Cruz" in report
    assert re.search(r"Aprobado con una llave de acceso, con verificación de la persona, "
                     r"nivel sustancial, el \S", report), report
    browser.assert_accessible()
    assert browser.csp_violations() == []
