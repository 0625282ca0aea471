"""A document to sign whose page, catalog or form holds a real pyHanko cannot write back.

pyHanko writes a real by quantizing it, which fails past 28 digits. The normalisation refused
such a file only when it rewrote it (pdfatk15); a file with nothing to remove passed unchanged,
an agency's POST /api/documents/prepared answered 201, and the citizen's confirmation, after the
passkey, answered 500 when the signature rewrote the page to add its widget. It is now refused
when it is given (422, damaged, with the sentence saying what to do)."""

from __future__ import annotations

import base64
import json

import pytest

from signing.pdf_input import InvalidPdf, check_pdf
from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing.verify import attack_kit as kit

BIG = b"1" + b"0" * 30 + b".0"


def _pdf(where: str, number: bytes = BIG) -> bytes:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    if where == "page":
        page = page.replace(b"/MediaBox", b"/UserUnit " + number + b" /MediaBox")
    elif where == "catalog":
        catalog = catalog.replace(b"/Pages", b"/Extra [" + number + b"] /Pages")
    else:
        catalog = catalog.replace(b"/Pages", b"/AcroForm << /Fields [] /DA (/Helv " + number + b" Tf) /Q "
                                  + number + b" >> /Pages")
    return kit.classic_pdf([catalog, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
                            b"<< /Length 0 >>\nstream\n\nendstream"])


@pytest.mark.parametrize("where", ["page", "catalog", "form"])
def test_a_number_the_signature_could_not_write_back_is_refused_when_given(where):
    with pytest.raises(InvalidPdf) as refused:
        check_pdf(_pdf(where), max_bytes=10_000_000)
    assert refused.value.key == "broken"
    assert "too many digits" in refused.value.message("en")


def test_an_ordinary_real_is_taken():
    assert check_pdf(_pdf("page", b"1.5"), max_bytes=10_000_000).pages == 1


def test_an_agency_preparing_such_a_file_is_told_at_once(web, docs_app, agency, signed_in):
    """Before: 201, then the citizen's confirmation answered 500 after the passkey."""
    _enrolled, sub = signed_in
    token = agency_token(web, agency)
    payload = {"file_name": "contrato.pdf", "pdf": base64.b64encode(_pdf("page")).decode(), "subject": sub}
    refused = web.post("/api/documents/prepared", data=json.dumps(payload), content_type="application/json",
                       headers=bearer(token))
    assert refused.status_code == 422, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["error"] == "invalid_document"
    assert "too many digits" in body["error_description"] and "Save it again" in body["error_description"]
