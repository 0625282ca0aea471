"""A signed PDF whose page tree lies about its pages: readers show different pages (pdfatk10).

Signed as it is, a tree "[Importe: 100 EUR], subtree /Count 1 [Importe: 9999 EUR, Page 3]"
verifies (the bytes are intact); poppler and Chrome show three pages, pdf.js (Firefox) skips
the second; a tree that lists a page twice is refused by pdf.js. `pdfsig` and pyHanko's
validator say nothing of it. The signing side no longer produces such files
(`signing.normalise`, `signing.page_tree`); the verification now names it in
`active_content` (`inconsistent_page_tree`), with its verdict unchanged.
"""

from __future__ import annotations

import html

import pytest

from signing.verify.texts import text
from tests.signing.test_pdfatk10_page_tree import LYING, tree
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize("shape", [LYING["subtree_says_1"], LYING["negative"],
                                   LYING["wrong_parent"], {"top_count": 3, "sub_count": 2,
                                                           "repeat": True}],
                         ids=["subtree_says_1", "negative", "wrong_parent", "repeat"])
def test_a_lying_page_tree_is_told(verifier, pki, shape):
    report = verifier.verify(_signed(pki, tree(**shape)))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("inconsistent_page_tree",)


def test_a_consistent_nested_tree_is_not(verifier, pki):
    report = verifier.verify(_signed(pki, tree(top_count=3, sub_count=2)))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, tree())
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["inconsistent_page_tree"]
    assert body["active_content"][0]["message"] == text("verify.active.inconsistent_page_tree",
                                                        "en")
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.inconsistent_page_tree", language) in html.unescape(page)
