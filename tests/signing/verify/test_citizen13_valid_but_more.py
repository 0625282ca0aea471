"""A valid verdict does not say "you can rely on it" alone when the file holds more than its
pages (citizen13).

A validly signed file whose signed content draws "Importe: 9999 EUR" on a layer hidden by
default (pdfatk16) is valid: its signed bytes are intact. The verdict's box, the one part of
the page announced as a status and the one a citizen reads first, said only "Valid document
... You can rely on it"; what the layer hides was told further down, in a note no screen reader
announces. The box now says, right there, that the file holds more than the pages the
signature vouches for and to rely only on the pages, pointing to the note below.
"""

from __future__ import annotations

import html
import re

import pytest

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify.test_pdfatk16_hidden_layer import layered


def _verdict_box(page: str) -> str:
    start = page.index('id="verdict"')
    box = page[start:page.index("</div>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", box)))


@pytest.fixture(scope="module")
def hidden_layer(pki) -> bytes:
    from tests.signing.verify import samples

    return samples.sign(layered("off"), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_valid_verdict_warns_of_what_the_file_holds(client, verifier, hidden_layer, language):
    kind, _words, page = kit.over_the_page(client, verifier, hidden_layer, language)
    assert kind == "valid"
    box = _verdict_box(page)
    assert text("verify.verdict.valid.next", language) in box
    assert 'id="active-content-warning"' in page[page.index('id="verdict"'):page.index('id="active-content"')]
    assert f"{text('verify.verdict.but', language)} {text('verify.verdict.active_content', language)}" in box


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_file_of_pages_alone_has_no_such_warning(client, verifier, signed, language):
    kind, _words, page = kit.over_the_page(client, verifier, signed, language)
    assert kind == "valid"
    assert 'id="active-content-warning"' not in page
