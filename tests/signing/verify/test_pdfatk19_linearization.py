"""A signed PDF whose misleading linearization dictionary is written as readers' lexers read
it (pdfatk19).

The dictionary of tests/signing/verify/test_pdfatk17_linearization.py, in force in the signed
file, with a comment between `1 0 obj` and `<<`, or with its /O written twice (the tree's
page, then the page it does not hold: pdf.js and PDFium keep the last), or followed by a
first-page cross-reference section (where pdf.js and PDFium start reading a linearized file)
that the chain pyHanko reads from the file's last `startxref` never names, listing the
page's content as a copy: Firefox and Chrome still show "Importe: 100 EUR" while the tree
says "9999 EUR"; or with no section where pdf.js looks, so that it rebuilds the
cross-reference and takes a copy of the content written last and listed by no section. The
file verified valid with no word of it; so did one whose first-page section, read by every
reader, is older than an update that changed the amount before the signature (pdf.js and
PDFium never read that update). Now each is named (`inconsistent_page_tree`), the verdict
unchanged.
"""

from __future__ import annotations

import pytest

from tests.signing.test_pdfatk17_linearization import signed_in_force
from tests.signing.test_pdfatk19_linearization import PADDED
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

SHAPES = {
    "comment_before_the_dictionary": {"first": 5, "opening": b"1 0 obj %comment\n"},
    "first_page_written_twice": {"first": 4, "entries": b" /O 5"},
    # where pdf.js and PDFium start reading: a section the signed file's chain never names
    "first_page_section_unread": {"first": 4, "first_section": "hidden"},
    # none where pdf.js looks: it rebuilds, and takes the copy written last, listed nowhere
    "rebuilt_with_an_unlisted_copy": {"first": 4, "entries": PADDED, "unlisted_copy": True},
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_linearization_readers_read_otherwise_is_told(client, verifier, pki, shape):
    pdf = signed_in_force(pki, stamper=samples.timestamper(pki), **SHAPES[shape])
    kit.assert_valid_but_told(client, verifier, pdf, "inconsistent_page_tree")


def _amount_changed_then_signed(pki) -> bytes:
    """A linearized file whose first-page section every reader reads ("Importe: 100 EUR"),
    then an update that makes the page's content "Importe: 9999 EUR", then the signature,
    the dictionary's /L written as the signed file's length: pdf.js and PDFium start at the
    first-page section and never read the update (nor the signature); pyHanko, the signature
    and the verification read 9999 EUR."""
    from pyhanko.pdf_utils import generic

    from tests.signing.test_pdfatk17_linearization import linearized

    def changed(writer):
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Contents"] = writer.add_object(generic.StreamObject(
            stream_data=b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"))
        writer.update_container(page)

    signer = samples.signer_for(pki.signer, pki)
    stamper = samples.timestamper(pki)
    length = None
    for _ in range(50):  # an ECDSA signature's length varies by a few bytes
        signed = samples.sign(kit.updated(linearized(4, first_section="read", length=length),
                                          changed), signer, stamper=stamper)
        if len(signed) == length:
            return signed
        length = len(signed)
    raise AssertionError("the signed length did not settle")


def test_a_first_page_section_older_than_the_last_revision_is_told(verifier, pki):
    report = verifier.verify(_amount_changed_then_signed(pki))
    assert report.conclusion.passed
    assert report.active_content == ("inconsistent_page_tree",)
