"""Issuing: validate, render, seal, store in one transaction; nothing left on failure."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from signing.data_problems import InvalidTemplateData
from signing.errors import UnknownTemplate
from signing.issuance import issue
from signing.models import Document
from signing.pades import SealUnavailable
from tests.signing import samples
from tests.signing.conftest import AGENCY, AGENCY_NAME
from tests.support.parts import require_executable


def _count(documents) -> int:
    with documents.database.read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Document))


def _files(documents) -> list:
    root = documents.store.root
    return [p for p in root.rglob("*.pdf") if "pending" not in p.parts] if root.exists() else []


def test_issue_stores_file_and_row(documents, citizen):
    before = len(_files(documents))
    issued = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="birth", citizen=citizen,
                   data=samples.BIRTH, language="en")
    row = documents.get(issued.id, subject=citizen.id)
    assert row.csv == issued.csv and row.kind == "sealed" and row.template == "birth"
    assert row.level == "B-LTA" and row.language == "en" and row.status == "valid"
    assert documents.pdf(row)[:5] == b"%PDF-" and len(_files(documents)) == before + 1


def test_the_document_prints_its_issue_time_in_the_deployments_zone_by_babel(documents, citizen, tmp_path):
    """[i18n] timezone (America/El_Salvador, UTC-6 all year): the row keeps UTC, the paper local time."""
    issued = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence", citizen=citizen,
                   data=samples.RESIDENCE, language="es", now=datetime(2025, 5, 3, 19, 5, 7, tzinfo=UTC))
    row = documents.get(issued.id, subject=citizen.id)
    assert row.issued_at.replace(tzinfo=UTC) == datetime(2025, 5, 3, 19, 5, 7, tzinfo=UTC)
    path = tmp_path / "issued.pdf"
    path.write_bytes(documents.pdf(row))
    require_executable("pdftotext", "apt-get install poppler-utils")
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                   text=True, timeout=300).stdout.split())
    assert "3 de mayo de 2025, 13:05 (GMT-06:00)" in text


@pytest.mark.parametrize("failure", ["data", "template", "seal", "database"])
def test_a_failure_at_any_step_leaves_no_row_and_no_file(documents, citizen, failure,
                                                         monkeypatch):
    before = (_count(documents), len(_files(documents)))
    kwargs = {"client_id": AGENCY, "agency_name": AGENCY_NAME, "template": "residence", "citizen": citizen,
              "data": samples.RESIDENCE}
    expected: type[Exception] = Exception
    if failure == "data":
        kwargs["data"], expected = {"full_name": "x"}, InvalidTemplateData
    elif failure == "template":
        kwargs["template"], expected = "marriage", UnknownTemplate
    elif failure == "seal":  # an agency without a seal certificate
        kwargs["client_id"], kwargs["agency_name"], expected = "no-seal", "Sin Sello", SealUnavailable
    else:  # the row cannot be written: its CSV is already taken (unique constraint)
        taken = issue(documents, **kwargs).csv
        before = (_count(documents), len(_files(documents)))
        monkeypatch.setattr("signing.issuance.verification_code.generate", lambda: taken)
        expected = sa.exc.IntegrityError
    with pytest.raises(expected):
        issue(documents, **kwargs)
    assert (_count(documents), len(_files(documents))) == before
