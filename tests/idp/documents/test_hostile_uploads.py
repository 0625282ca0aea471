"""A hostile PDF sent to the prepared-documents API: refused with a machine-readable code and
a sentence, never a worker held for minutes (`signing.pdf_input.parsing`)."""

from __future__ import annotations

import base64

from signing import pdf_input, pdf_parsing
from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_prepared import _prepare
from tests.signing.test_hostile_input import every_slot_taken, fields_bomb
from tests.signing.verify import samples


def test_an_object_stream_bomb_is_422_document_too_complex(web, agency, signed_in,
                                                          monkeypatch):
    _, sub = signed_in
    token = agency_token(web, agency)
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", -1.0)  # every checkpoint is too late
    response = _prepare(web, token, subject=sub, pdf=base64.b64encode(
        fields_bomb(samples.blank_pdf())).decode())
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "document_too_complex",
        "error_description": pdf_input.InvalidPdf("too_complex").message("en")}


def test_too_many_files_at_once_is_503_with_retry_after(web, agency, signed_in, monkeypatch):
    _, sub = signed_in
    token = agency_token(web, agency)
    with every_slot_taken(monkeypatch):
        response = _prepare(web, token, subject=sub)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(pdf_input.BUSY_RETRY_SECONDS)
    assert response.get_json()["error"] == "temporarily_unavailable"
    assert response.get_json()["error_description"]
