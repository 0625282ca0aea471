"""The document's holder is the register's citizen it is issued to (`signing.templates.holder`).

Before: the holder's fields were whatever the agency sent, so a document delivered to one
citizen ("issued to María José Núñez Peña") could name someone else in its body."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from signing.data_problems import InvalidTemplateData
from signing.issuance import issue
from signing.models import Document
from tests.signing import samples
from tests.signing.conftest import AGENCY, AGENCY_NAME
from tests.support.parts import require_executable


def _issue(documents, citizen, template: str, data: dict):
    return issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template=template,
                 citizen=citizen, data=data, language="es")


def _text(documents, issued) -> str:
    require_executable("pdftotext", "apt-get install poppler-utils")
    pdf = documents.pdf(documents.get(issued.id))
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True,
                         timeout=300).stdout.decode()
    return " ".join(out.split())


@pytest.mark.parametrize(("template", "changes", "pointer"), [
    ("residence", {"full_name": "Pedro Gómez Ruiz"}, "/full_name"),
    ("residence", {"identity_document": {"kind": "national_id", "number": "12345678Z"}},
     "/identity_document/number"),
    ("birth", {"given_names": "Íñigo"}, "/given_names"),
    ("birth", {"surnames": "Ortega Núñez"}, "/surnames"),
])
def test_holder_fields_naming_someone_else_are_refused(documents, citizen, template, changes, pointer):
    data = {**samples.sample(template), **changes}
    with documents.database.read() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Document))
    with pytest.raises(InvalidTemplateData) as refused:
        _issue(documents, citizen, template, data)
    assert [f["pointer"] for f in refused.value.fields("en")] == [pointer]
    assert "register" in refused.value.fields("en")[0]["message"]
    with documents.database.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == before


def test_holder_fields_are_compared_after_normalisation(documents, citizen):
    """NFC, case and spaces aside; a national ID without its separators: the same person."""
    decomposed = "  MARI\u0301A   JOSE\u0301 núñez peña "
    data = {**samples.sample("residence"), "full_name": decomposed,
            "identity_document": {"kind": "national_id", "number": "04892613 3"}}
    assert _issue(documents, citizen, "residence", data).template == "residence"
    passport = {**samples.sample("residence"),
                "identity_document": {"kind": "passport", "number": "PAA123456"}}
    assert _issue(documents, citizen, "residence", passport).template == "residence"


def test_holder_fields_left_out_come_from_the_register(documents, citizen):
    issued = _issue(documents, citizen, "residence", samples.sample("residence"))
    text = _text(documents, issued)
    assert text.count("María José Núñez Peña") >= 2 and "04892613-3" in text
    # other people stay the agency's statement
    assert "Íñigo Ortega Núñez" in text
