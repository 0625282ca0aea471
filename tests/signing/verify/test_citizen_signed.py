"""Documents citizens signed with Cédula, verified by their code or their content: recognised,
and said plainly for what they are (signed by this person, not issued by an agency)."""

from __future__ import annotations

import io
import re

import pytest

from signing.citizen_signature import sign
from tests.signing.test_citizen_signature import approval_for
from tests.signing.verify.samples import blank_pdf

NAME = "María José Núñez Peña"


@pytest.fixture
def signed(documents, citizen):
    pdf = blank_pdf()
    # the citizen names the file as they like: nothing of it may read as an agency's word
    document = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                    file_name="Certificado de residencia - Registro Civil.pdf")
    return document, documents.store.read(document.sha256)


def _citizen_part(body: dict) -> dict:
    part = body["citizen_signed"]
    assert body["document"] is None and body["document_status"] is None  # never agency-issued
    assert part["issued_by_agency"] is False and part["status"] == "valid"
    assert part["signer"] == NAME and part["assurance_level"] == "substantial"
    assert "Registro Civil" not in str(body.get("citizen_signed"))
    return part


def test_a_citizen_signed_document_is_found_by_its_code(pki_app, signed):
    document, _ = signed
    body = pki_app.test_client().get(f"/api/verify/{document.csv}?lang=en").get_json()
    assert body["indication"] == "TOTAL-PASSED" and body["verdict"] == "valid"
    part = _citizen_part(body)
    assert part["csv"] == document.csv and part["matched_by"] == "csv"
    assert part["signed_at"] and "not issued by an agency" in part["message"]
    assert "issued it" not in body["advice"]["means"] and "citizen" in body["advice"]["title"]
    assert body["other_forms"] == []


def test_a_citizen_signed_document_is_recognised_by_its_content(pki_app, signed):
    document, pdf = signed
    client = pki_app.test_client()
    body = client.post("/api/verify?lang=es", data=pdf,
                       headers={"Content-Type": "application/pdf"}).get_json()
    part = _citizen_part(body)
    assert part["matched_by"] == "hash" and part["csv"] == document.csv
    index = client.get("/verify")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    page = client.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(pdf), "d.pdf")},
                       content_type="multipart/form-data", headers={"Accept-Language": "es"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Firmado por una persona con Cédula" in text
    assert NAME in text and "no lo expidió ninguna institución" in text


def test_the_page_of_the_code_says_what_a_citizen_signature_proves(pki_app, signed):
    document, pdf = signed
    client = pki_app.test_client()
    page = client.get(f"/verify/{document.csv}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Signed by a citizen with Cédula" in text and NAME in text
    assert "not issued by an agency" in text and "substantial" in text
    assert "possible forgery" not in text.lower()
    # nothing presents it as an agency's document: no issuer, no agency verdict, no file name
    assert "Issued by" not in text and "Registro Civil" not in text
    assert "document-heading" not in text
    assert f'href="/verify/{document.csv}/pdf" download' in text
    assert client.get(f"/verify/{document.csv}/pdf").data == pdf


def test_cedula_verify_says_the_same(pki_app, signed, tmp_path):
    """`cedula verify` (plain SQL, no app) recognises it as the API does."""
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from infra.config import get_settings
    from tests.signing.verify.command_report import command_and_api

    document, pdf = signed
    body, api = command_and_api(pki_app, tmp_path / "signed.pdf", pdf)
    assert body["citizen_signed"] == api["citizen_signed"] and body["advice"] == api["advice"]
    assert _citizen_part(body)["csv"] == document.csv
    text = CliRunner().invoke(cli, ["verify", "--lang", "en", str(tmp_path / "signed.pdf")],
                              obj=Context(settings=get_settings(pki_app))).output
    assert f"{NAME} signed this document with Cédula" in text and "not issued by an agency" in text
