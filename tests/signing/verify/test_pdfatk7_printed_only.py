"""A validly signed PDF that prints otherwise than it shows (pdfatk7).

A file prepared before signing may hold a stamp annotation flagged NoView and Print, or a
layer that is off on screen and switched on for printing (ISO 32000-2, 12.5.3, 8.11.4): the
signature covers it, the screen and the verification page show "100 EUR", the paper says
"9999 EUR". The verdict stands (the signed bytes are intact), but the report said nothing of
it, as it says of JavaScript or attached files. Now `active_content` names it
(`printed_only`), on the page and in the API too; a stamp shown on screen is not named.
"""

from __future__ import annotations

import html

import pytest

from signing.verify.texts import text
from tests.signing.test_pdfatk7_paper_only_annotations import NO_VIEW, PRINT, with_stamp
from tests.signing.test_pdfatk7_print_layers import layered
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize(("prepared", "told"), [
    (lambda: with_stamp(NO_VIEW | PRINT), ("printed_only",)),
    # off on screen too: also a layer the default view hides (pdfatk16)
    (layered, ("printed_only", "hidden_layer")),
    (lambda: layered(on_screen=True), ("printed_only",))],  # on on screen, off on paper
    ids=["stamp", "layer", "layer_off_on_paper"])
def test_what_only_paper_shows_is_told(verifier, pki, prepared, told):
    report = verifier.verify(_signed(pki, prepared()))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == told


def test_a_stamp_shown_on_screen_is_not(verifier, pki):
    report = verifier.verify(_signed(pki, with_stamp(PRINT)))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, with_stamp(NO_VIEW | PRINT))
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["printed_only"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.printed_only", language) in html.unescape(page)
