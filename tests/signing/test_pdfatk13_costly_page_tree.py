"""A page-tree node too costly to decode is not a kid that is no dictionary (pdfatk13).

`page_tree._resolved` read a reference whose object lies in an object stream past the decode
limits (`pdf_parsing.DECODE_LIMITS`, PdfDecodeLimitError, a PdfReadError) as null, like a
reference to no object (review17's note): the survey then called the tree inconsistent (a
kid that is no dictionary), so a verified file was said to hold an `inconsistent_page_tree`
nothing showed, and `rebuild` would drop that page. It is now passed on, as
`signing.replacement_text` does: the caller's budget decides (the verifier skips the part it
cannot read, a file to sign is refused as too complex).
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfDecodeLimitError

from signing import page_tree
from signing.verify import active_content
from signing.verify.reading import read_pdf
from tests.signing.verify import samples


def page_in_a_bomb(padding: int = 3_900_000) -> bytes:
    """The blank page and a second page whose dictionary sits in an object stream padded
    to decode past the limits (a few kilobytes compressed)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))
    writer.stream_xrefs = True
    pages_ref = writer.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    first = pages["/Kids"][0]
    stream = writer.prepare_object_stream()
    second = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/Parent"): pages_ref,
        N("/MediaBox"): first["/MediaBox"]}), obj_stream=stream)
    render = stream.as_pdf_object

    def padded():
        plain = render()
        bomb = generic.StreamObject({key: plain[key] for key in ("/Type", "/N", "/First")},
                                    stream_data=plain.data + b" " * padding)
        bomb.compress()
        return bomb
    stream.as_pdf_object = padded
    pages[N("/Kids")] = generic.ArrayObject([pages["/Kids"].raw_get(0), second])
    pages[N("/Count")] = generic.NumberObject(2)
    writer.mark_update(pages_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_survey_passes_the_decode_limit_on():
    reader = read_pdf(page_in_a_bomb(), max_bytes=10_000_000)
    with pytest.raises(PdfDecodeLimitError):
        page_tree.survey(reader.root)


def test_the_verifier_does_not_call_the_tree_inconsistent():
    reader = read_pdf(page_in_a_bomb(), max_bytes=10_000_000)
    assert "inconsistent_page_tree" not in active_content.found(reader)


def test_a_file_to_sign_with_such_a_page_is_refused_as_too_complex():
    """Before, it was read as holding one page (and normalised without its second)."""
    from signing.pdf_input import InvalidPdf, check_pdf
    with pytest.raises(InvalidPdf) as info:
        check_pdf(page_in_a_bomb(), max_bytes=10_000_000)
    assert info.value.key == "too_complex"
