"""An agency prepares a file whose linearization dictionary names another first page (pdfatk17).

Before: POST /api/documents/prepared kept it byte for byte (`normalised` empty, the prepared
sha256 the original's), so the citizen's browser previewed the page the dictionary names
("Importe: 100 EUR") and signed a file every reader then shows as "Importe: 9999 EUR". Now the
prepared file is the one rewritten from its page tree, and the answer says so."""

from __future__ import annotations

import base64
import hashlib
import json

from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing.test_pdfatk17_linearization import linearized


def test_the_prepared_file_is_rewritten_from_its_page_tree(web, docs_app, agency, signed_in):
    _enrolled, sub = signed_in
    pdf = linearized(5)
    token = agency_token(web, agency)
    payload = {"file_name": "contrato.pdf", "pdf": base64.b64encode(pdf).decode(), "subject": sub}
    answer = web.post("/api/documents/prepared", data=json.dumps(payload),
                      content_type="application/json", headers=bearer(token))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["normalised"] == ["inconsistent_page_tree"]
    assert body["original_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert body["sha256"] != body["original_sha256"] and body["pages"] == 1
