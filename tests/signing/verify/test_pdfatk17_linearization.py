"""A signed PDF whose linearization dictionary names another first page (pdfatk17).

Signed with its /L written as the signed file's length, the linearization dictionary stays in
force in the file the relying party opens: pdf.js (Firefox) and PDFium (Chrome) show its /O,
a page the page tree does not hold ("Importe: 100 EUR"), as the first page, while pyHanko and
every reader that reads the tree show "Importe: 9999 EUR". The signature is intact and the
file verified valid with no word of it; now `active_content` names it
(`inconsistent_page_tree`: readers disagree on which pages there are), the verdict unchanged.
A linearization that agrees with the tree, or is stale, is not named.
"""

from __future__ import annotations

import html

from signing.verify.texts import text
from tests.signing.test_pdfatk17_linearization import signed_in_force
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def test_a_linearization_naming_another_first_page_is_told(client, verifier, pki):
    pdf = signed_in_force(pki, stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("inconsistent_page_tree",)
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["inconsistent_page_tree"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.inconsistent_page_tree", language) in html.unescape(page)


def test_an_agreeing_linearization_is_not(verifier, pki):
    report = verifier.verify(signed_in_force(pki, first=4, stamper=samples.timestamper(pki)))
    assert report.conclusion.passed and report.active_content == ()
