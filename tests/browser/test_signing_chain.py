"""Issue 12 end to end in Chromium: only a verified person signs, and anyone can check it.

A citizen enrols with a passkey (Chromium's virtual authenticator); the civil register
matches them, which is evidence but no proof (level low): the signing page refuses and points
to the proofing page. There the citizen asks for a one-time code sent to the register's
contact of record (the embedded default's outbox) and types it back: substantial. The citizen
signs a PDF at /account/sign with the passkey, and the verification page shows the approval
evidence embedded in the signature: approved with a passkey, user verified, level
substantial.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.browser.agency import restore_pki
from tests.browser.chromium import Browser
from tests.browser.flows import enrol_on_new_device, new_person

pytestmark = pytest.mark.browser


@pytest.fixture
def documents(server, pki_rows):
    """The live server with its document PKI (issuing CA, TSA, OCSP)."""
    restore_pki(server.app, pki_rows)
    return server


def _in_the_civil_register(app, person) -> str:
    """The civil register holds this person, with an e-mail address of record (not the one
    typed at enrolment); returns that address."""
    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv
    from infra.db import get_db

    address = f"registro.{person.national_id[:8]}@correo.example"
    row = (f"national_id,given_name,family_name,birthdate,email,phone,postal_address\n"
           f"{person.national_id},{person.given_name},{person.family_name},{person.birthdate},"
           f"{address},,\n")
    with get_db(app).transaction() as session:
        import_csv(session, data=row.encode(), scheme=load_scheme("sv-dui"), now=datetime.now(UTC))
    return address


def _code_in_the_outbox(app, address: str) -> str:
    """What the operator reads with `cedula notify outbox` (or the demo's /demo/outbox)."""
    from infra.notify import get_outbox

    [message] = get_outbox(app).messages(addresses=[address])
    return re.search(r"(\d{4} \d{4})", message.body).group(1)


def _pdf(tmp_path):
    from tests.idp.documents.test_citizen_signing import _pdf as pdf_bytes

    path = tmp_path / "contrato.pdf"
    path.write_bytes(pdf_bytes("Contrato de arrendamiento"))
    return path


def test_enrol_prove_sign_and_verify(browser: Browser, documents, tmp_path):
    server = documents
    person = new_person(given_name="Rosa Elena", family_name="Martínez Cruz")
    address = _in_the_civil_register(server.app, person)
    enrol_on_new_device(browser, person)

    # A register match alone is evidence, not proof (low): the signing page refuses, says
    # why, and leads to the proofing page.
    browser.open("/account/sign")
    refusal = browser.wait_for("#sign-refused")
    assert refusal.get_attribute("data-reason") == "identity"
    assert "nivel bajo" in refusal.text
    assert not browser.all("input#document")
    browser.one("#raise-level").click()
    browser.wait_for_path("/account/assurance")
    assert browser.wait_for("#proofing-level").text.startswith("bajo")

    # Proof of possession: a code sent to the register's contact of record, typed back.
    browser.wait_for("form#code-request button[type=submit]").click()
    browser.wait_for("form#code-entry")
    browser.fill(browser.one("input#code"), _code_in_the_outbox(server.app, address))
    browser.one("form#code-entry button[type=submit]").click()
    browser.wait(lambda _: "code=verified" in browser.full_path, "expected the code accepted")
    assert browser.wait_for("#proofing-level").text.startswith("sustancial")

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
    # The verdict first; the details (who, level, approval) one click below it.
    assert browser.wait_for("h1#verdict-title").get_attribute("data-verdict") == "valid"
    browser.one("details#details summary").click()
    report = browser.wait_for("#report-heading").find_element("xpath", "..").text
    assert "Rosa Elena Martínez Cruz" in report
    assert re.search(r"Aprobado con una llave de acceso, con verificación de la persona, "
                     r"nivel sustancial, el \S", report), report
    browser.assert_accessible()
    assert browser.csp_violations() == []
