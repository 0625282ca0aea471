"""A /Kids entry that is no dictionary, in a PDF a citizen signs (pdfatk11).

A page tree node's /Kids lists page and tree dictionaries (ISO 32000-2, 7.7.3.2). An entry
that is none (null, a number, a reference to a string, to null or to no object at all) was
skipped by the walk of `signing.page_tree` and counted as nothing wrong: poppler skips it
too, while pdf.js stops with an error where it looked for a page; the file was signed byte
for byte. Such entries are now dropped when the tree is rebuilt (`inconsistent_page_tree`):
no reader shows a page for them, and every reader then shows poppler's pages.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from tests.signing.test_pdfatk10_page_tree import _page, rebuilt


def _stray(writer: PdfFileWriter, kind: str) -> generic.PdfObject:
    if kind == "null":
        return generic.NullObject()
    if kind == "number":
        return generic.NumberObject(7)
    if kind == "string":
        return writer.add_object(generic.TextStringObject("Importe: 9999 EUR"))
    if kind == "null_object":
        return writer.add_object(generic.NullObject())
    return generic.IndirectObject(9999, 0, writer)  # "missing": no such object


STRAYS = ("null", "number", "string", "null_object", "missing")


def with_stray(kind: str, *, top_count: int = 3, sub_count: int = 2) -> bytes:
    """Pages "Importe: 100 EUR", then a subtree [stray, "Importe: 9999 EUR", "Page 3"]
    whose counts are true for its pages."""
    writer = PdfFileWriter()
    top = writer.root.raw_get("/Pages")
    sub_dict = generic.DictionaryObject({N("/Type"): N("/Pages"), N("/Parent"): top})
    sub = writer.add_object(sub_dict)
    first = _page(writer, b"Importe: 100 EUR", top)
    sub_dict[N("/Kids")] = generic.ArrayObject([
        _stray(writer, kind), _page(writer, b"Importe: 9999 EUR", sub),
        _page(writer, b"Page 3", sub)])
    sub_dict[N("/Count")] = generic.NumberObject(sub_count)
    pages = writer.root["/Pages"]
    pages[N("/Kids")] = generic.ArrayObject([first, sub])
    pages[N("/Count")] = generic.NumberObject(top_count)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", STRAYS)
def test_a_kid_that_is_no_dictionary_is_dropped(kind):
    _top, sub = rebuilt(with_stray(kind))
    assert len(sub["/Kids"]) == 2
    assert all(isinstance(kid.get_object(), generic.DictionaryObject) for kid in sub["/Kids"])
