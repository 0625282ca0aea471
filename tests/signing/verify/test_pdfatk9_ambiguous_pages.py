"""A signed PDF whose page also has /Kids: readers show different pages (pdfatk9).

A dictionary typed /Page with a /Kids array is a page for poppler and pdf.js (Firefox) and a
page tree node for PDFium (Chrome), which shows its kids instead. Signed as it is, a page
"Importe: 9999 EUR" whose one kid says "Importe: 100 EUR" verifies (the bytes are intact),
Chrome shows 100 EUR and the other readers 9999 EUR; `pdfsig` and pyHanko's validator say
nothing of it. The signing side no longer produces such files (`signing.normalise`,
`ambiguous_pages`); the verification now names it in `active_content`, with its verdict
unchanged, as it names content printed but not shown.
"""

from __future__ import annotations

import html

from signing.verify.texts import text
from tests.signing.test_pdfatk9_page_with_kids import page_with_kids
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


def test_a_page_that_also_has_kids_is_told(verifier, pki):
    report = verifier.verify(_signed(pki, page_with_kids(lambda writer: {}, in_the_kid=True)))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("ambiguous_pages",)


def test_an_ordinary_page_tree_is_not(verifier, signed):
    assert verifier.verify(signed).active_content == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, page_with_kids(lambda writer: {}))
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["ambiguous_pages"]
    assert body["active_content"][0]["message"] == text("verify.active.ambiguous_pages", "en")
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.ambiguous_pages", language) in html.unescape(page)
