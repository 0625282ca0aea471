"""A receipt that is not there (or not the citizen's): the page names «Instituciones
conectadas», where the receipts are, and links to it (not only to the home page), in the
JWS, page and PDF addresses alike."""

from __future__ import annotations

import uuid

import pytest

from infra.web.i18n import catalog


@pytest.mark.parametrize("path", ["/account/agencies/receipts/{id}", "/account/agencies/{id}/receipt",
                                  "/account/agencies/{id}/receipt.pdf", "/account/agencies/receipts/not-a-uuid"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_missing_receipt_links_to_the_connected_agencies_page(client, citizen, path, lang):
    client.set_cookie("lang", lang)
    page = client.get(path.format(id=uuid.uuid4()))
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and page.headers["Cache-Control"] == "no-store"
    with client.application.app_context():
        link = catalog(client.application).get("consent.error.no_receipt.link", lang)
    assert link is not None
    assert f'<a id="next-link" href="/account/agencies">{link}</a>' in html
