"""Replacement text hidden behind a reference to no object (review17).

The verifier reads strictly: resolving a reference to an object the file does not hold raises
PdfReadError. `signing.replacement_text` resolved references without catching it, and
`active_content` skips a part it cannot read, so a structure tree (or a page's /Properties)
that also listed `9999 0 R` made the whole check of replacement text stop before the element
carrying `/ActualText`: the signed file's "Importe: 9999 EUR", read aloud as "100 EUR",
verified with nothing said. A reference to no object is now what it is to every viewer, null
(ISO 32000-2, 7.3.10), and the walk goes on.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.verify.active_content import found
from tests.signing.verify.test_pdfatk10_replacement_text import DRAWN, _signed, page

NOWHERE = generic.IndirectObject(9999, 0, None)


def _with_dangling_structure() -> bytes:
    element = generic.DictionaryObject({
        N("/Type"): N("/StructElem"), N("/S"): N("/P"),
        N("/ActualText"): generic.TextStringObject("Importe: 100 EUR"), N("/K"): generic.NumberObject(0)})
    # the walk takes the array's last item first: the reference to no object
    return page(b"/P <</MCID 0>> BDC " + DRAWN + b" EMC",
                structure=generic.DictionaryObject({
                    N("/Type"): N("/StructElem"), N("/S"): N("/Document"),
                    N("/K"): generic.ArrayObject([element, NOWHERE])}))


def _with_dangling_property_list() -> bytes:
    return page(b"/Span <</ActualText (Importe: 100 EUR)>> BDC " + DRAWN + b" EMC",
                properties=NOWHERE)


HIDDEN = {"structure_tree": _with_dangling_structure, "property_list": _with_dangling_property_list}


@pytest.mark.parametrize("prepared", HIDDEN.values(), ids=HIDDEN.keys())
def test_review17_a_reference_to_no_object_does_not_hide_replacement_text(prepared):
    assert found(PdfFileReader(io.BytesIO(prepared()), strict=True)) == ("replacement_text",)


def test_review17_a_signed_file_with_one_is_reported(verifier, pki):
    report = verifier.verify(_signed(pki, _with_dangling_structure()))
    assert report.conclusion.passed
    assert report.active_content == ("replacement_text",)


def _acting_page(*, dangling_kid: bool = False, dangling_annotation: bool = False) -> bytes:
    """One page that runs JavaScript when opened (/AA /O) and through a link (/A), with a
    reference to no object after it in /Kids (the walk takes the last first) or before it in
    /Annots."""
    from pyhanko.pdf_utils.writer import PdfFileWriter

    from tests.signing.test_pdfatk10_page_tree import _page

    writer = PdfFileWriter()
    script = generic.DictionaryObject({N("/S"): N("/JavaScript"), N("/JS"): generic.TextStringObject("app.alert(1)")})
    first = _page(writer, b"Importe: 9999 EUR", writer.root.raw_get("/Pages"))
    if dangling_annotation:
        link = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/A"): script,
            N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])}))
        first.get_object()[N("/Annots")] = generic.ArrayObject([NOWHERE, link])
    else:
        first.get_object()[N("/AA")] = generic.DictionaryObject({N("/O"): script})
    pages = writer.root["/Pages"]
    pages[N("/Kids")] = generic.ArrayObject([first, NOWHERE] if dangling_kid else [first])
    pages[N("/Count")] = generic.NumberObject(1)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("where", ["dangling_kid", "dangling_annotation"])
def test_review17_a_reference_to_no_object_does_not_hide_actions(where):
    kinds = found(PdfFileReader(io.BytesIO(_acting_page(**{where: True})), strict=True))
    assert "actions" in kinds


def _after_a_damaged_page() -> bytes:
    """Page 1 draws from a truncated Flate stream (poppler draws what it can decode, with a
    warning; pyHanko raises zlib.error), page 2 draws "9999 EUR" under /ActualText "100 EUR"."""
    import zlib

    from pyhanko.pdf_utils.writer import PdfFileWriter

    from tests.signing.test_pdfatk10_page_tree import _page

    writer = PdfFileWriter()
    top = writer.root.raw_get("/Pages")
    damaged = _page(writer, b"Page 1", top)
    whole = zlib.compress(b"BT /F1 18 Tf 72 760 Td (Page 1) Tj ET " * 50)
    damaged.get_object()[N("/Contents")] = writer.add_object(generic.StreamObject(
        generic.DictionaryObject({N("/Filter"): N("/FlateDecode")}), encoded_data=whole[:-30]))
    told = _page(writer, b"x", top)
    told.get_object()[N("/Contents")] = writer.add_object(generic.StreamObject(
        stream_data=b"/Span <</ActualText (Importe: 100 EUR)>> BDC " + DRAWN + b" EMC"))
    pages = writer.root["/Pages"]
    pages[N("/Kids")] = generic.ArrayObject([damaged, told])
    pages[N("/Count")] = generic.NumberObject(2)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_review17_a_damaged_page_does_not_hide_the_replacement_text_after_it():
    assert found(PdfFileReader(io.BytesIO(_after_a_damaged_page()), strict=True)) == ("replacement_text",)


def test_review17_a_file_to_sign_with_a_damaged_page_is_still_refused():
    from signing.normalise import normalise
    from signing.pdf_input import InvalidPdf

    with pytest.raises(InvalidPdf) as refused:
        normalise(_after_a_damaged_page(), max_bytes=20 * 1024 * 1024)
    assert refused.value.key == "broken" and refused.value.status == 422
