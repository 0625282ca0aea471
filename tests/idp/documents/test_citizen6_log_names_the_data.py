"""The data-sharing log names, in the citizen's words, the data an issued document disclosed to
its agency: the "Datos" cell of "Le emitió un documento" showed the catalog key
"oidc.claim.name" (no message for the full name an issued document prints), in the page and in
its PDF copy, in Spanish and English."""

from __future__ import annotations

import pytest

from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_api import _issue
from tests.support.pdf_text import pdf_text


@pytest.mark.parametrize(("lang", "words"), [("es", "Su nombre completo"), ("en", "Your full name")])
def test_the_log_names_the_full_name_an_issued_document_disclosed(web, agency, signed_in, lang, words):
    _, sub = signed_in
    assert _issue(web, agency_token(web, agency), subject=sub).status_code == 201
    web.set_cookie("lang", lang)
    page = web.get("/account/log")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-claim="name"' in html, "the issuance's entry lists the data it disclosed"
    assert "oidc.claim." not in html
    assert words in html
    pdf = web.get("/account/log.pdf")
    assert pdf.status_code == 200
    read = pdf_text(pdf.data)
    assert "oidc.claim." not in read
    assert words in " ".join(read.split())
