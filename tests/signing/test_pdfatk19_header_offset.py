"""Bytes before the %PDF- header (pdfatk19): no other revision, no other linearization.

Readers accept up to 1024 bytes of junk before the header, and pdf.js and PDFium then count
offsets, and the linearization dictionary's /L, from the header: a misleading linearization
dictionary in force for them would have escaped a check that compares /L with the file's
whole length. pyHanko, which both the signing side and the verifier read with, takes only a
header at the first byte: such a file is refused as damaged on both sides, whatever the junk
holds (another header, or the file's own header again), before any signature or
linearization is judged. This pins that down.
"""

from __future__ import annotations

import pytest

from signing.normalise import normalise
from signing.pdf_input import InvalidPdf
from signing.verify.errors import UnreadableDocument
from signing.verify.reading import read_pdf
from tests.signing.test_normalise import LIMIT
from tests.signing.test_pdfatk17_linearization import linearized

PREFIXES = {
    "junk": b"JUNK" * 50 + b"\n",
    "white_space": b" ",
    "byte_order_mark": b"\xef\xbb\xbf",
    "another_header": b"%PDF-1.4\n",
}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_file_with_bytes_before_its_header_is_refused_as_damaged(prefix):
    pdf = PREFIXES[prefix] + linearized(5)  # /O a page the tree does not hold
    with pytest.raises(UnreadableDocument) as unread:
        read_pdf(pdf, max_bytes=LIMIT)
    assert unread.value.error == "damaged_pdf"
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "broken"
