"""A signed PDF with an annotation that has no appearance stream (pdfatk9).

Without /AP /N (ISO 32000-2, 12.5.5) each reader draws an annotation its own way, or not at
all: a stamp named /Approved is a large "Approved" in Acrobat and poppler and nothing in
Chrome's viewer; a free-text annotation may paint "Importe: 9999 EUR" over the amount in one
reader and nothing in another. Signed as it is, the file verifies (the bytes are intact), and
`pdfsig` and pyHanko's validator say nothing of it. The signing side no longer produces such
files (`signing.normalise`, `annotations_without_appearance`); the verification now names it
in `active_content`, with its verdict unchanged. Links (no appearance by design), pop-ups and
widgets (a form's fields, the signature's own widget) are not named.
"""

from __future__ import annotations

import html

import pytest

from signing.verify.texts import text
from tests.signing.test_pdfatk9_annotations_without_appearance import (
    FREE_TEXT,
    LINK,
    POPUP,
    STAMP,
    with_annotation,
)
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize("entries", [STAMP, FREE_TEXT], ids=["stamp", "free_text"])
def test_an_annotation_each_reader_draws_its_own_way_is_told(verifier, pki, entries):
    report = verifier.verify(_signed(pki, with_annotation(entries)))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("annotations_without_appearance",)


@pytest.mark.parametrize("entries", [LINK, POPUP], ids=["link", "popup"])
def test_links_and_popups_are_not(verifier, pki, entries):
    report = verifier.verify(_signed(pki, with_annotation(entries)))
    assert report.conclusion.passed and report.active_content == ()


def test_a_form_field_and_the_signature_widget_are_not(verifier, signed_with_field):
    assert verifier.verify(signed_with_field).active_content == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, with_annotation(STAMP))
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["annotations_without_appearance"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.annotations_without_appearance", language) in \
            html.unescape(page)
