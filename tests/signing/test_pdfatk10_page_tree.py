"""A page tree whose /Count or /Parent lies, in a PDF a citizen signs (pdfatk10).

A page tree node says in /Count how many pages are below it. Poppler and PDFium (Chrome)
walk every /Kids array and never read it; pdf.js (Firefox) takes the top node's /Count for
the number of pages and skips a subtree whose /Count says the page it wants is not there
(`Catalog.getPageDict`). A tree "[100 EUR], subtree /Count 1 [9999 EUR, Page 3]" with a top
/Count of 2 shows "100 EUR, 9999 EUR, Page 3" in poppler and "100 EUR, Page 3" in pdf.js;
the normalisation saw nothing to remove, kept the file byte for byte, and it was signed (and
`CheckedPdf.pages`, read from the top /Count, said 2). A node reached twice (a page in two
/Kids, a loop) is refused by pdf.js ("Pages tree contains circular reference") and read
its own way by poppler (which, for the tree here, shows three pages).

Now the counts and parents are rewritten from the pages the tree holds (`inconsistent_page_tree`),
so that every reader shows poppler's pages, and a tree that reaches a node twice is refused
(`repeated_pages`).
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import findings, normalise, require_normalised
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _font, _numbers, _reader, _text
from tests.signing.verify import samples


def _page(writer, text: bytes, parent) -> generic.IndirectObject:
    content = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 18 Tf 72 760 Td (%s) Tj ET" % text))
    resources = generic.DictionaryObject({
        N("/Font"): generic.DictionaryObject({N("/F1"): _font(writer)})})
    return writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/MediaBox"): _numbers(0, 0, 595, 842),
        N("/Resources"): resources,
        N("/Contents"): content, N("/Parent"): parent}))


def tree(*, top_count=2, sub_count=1, repeat: bool = False, loop: bool = False,
         wrong_parent: bool = False) -> bytes:
    """Pages "Importe: 100 EUR", then a subtree holding "Importe: 9999 EUR" and "Page 3",
    with the given /Count values (the truth is 3 and 2); `repeat` lists the first page in
    the subtree too, `loop` lists the top node in it, `wrong_parent` gives the second page
    the top node as /Parent."""
    writer = PdfFileWriter()
    top = writer.root.raw_get("/Pages")
    sub_dict = generic.DictionaryObject({N("/Type"): N("/Pages"), N("/Parent"): top})
    sub = writer.add_object(sub_dict)
    first = _page(writer, b"Importe: 100 EUR", top)
    second = _page(writer, b"Importe: 9999 EUR", top if wrong_parent else sub)
    third = _page(writer, b"Page 3", sub)
    kids = [second, third] + ([first] if repeat else []) + ([top] if loop else [])
    sub_dict[N("/Kids")] = generic.ArrayObject(kids)
    sub_dict[N("/Count")] = sub_count if isinstance(sub_count, generic.PdfObject) \
        else generic.NumberObject(sub_count)
    pages = writer.root["/Pages"]
    pages[N("/Kids")] = generic.ArrayObject([first, sub])
    pages[N("/Count")] = top_count if isinstance(top_count, generic.PdfObject) \
        else generic.NumberObject(top_count)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


LYING = {"subtree_says_1": {}, "too_many": {"top_count": 5, "sub_count": 4},
         "negative": {"top_count": 3, "sub_count": -1},
         "not_an_integer": {"top_count": 3, "sub_count": generic.FloatObject(2.5)},
         "a_name": {"top_count": 3, "sub_count": N("/Two")},
         "wrong_parent": {"top_count": 3, "sub_count": 2, "wrong_parent": True}}


def test_poppler_shows_the_page_the_count_hides():
    assert "9999 EUR" in _text(tree())  # what pdf.js skips (subtree /Count 1)


def rebuilt(pdf: bytes) -> tuple[generic.DictionaryObject, generic.DictionaryObject]:
    """Normalise `pdf`, a tree of three pages ("100 EUR", then a subtree with "9999 EUR" and
    "Page 3") found inconsistent: rebuilt, counted right, read by poppler in that order;
    (the top node, the subtree) as rebuilt, for what a test checks further."""
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("inconsistent_page_tree",)
    assert result.checked.pages == 3
    reader = _reader(result.checked.data)
    top = reader.root["/Pages"]
    sub = top["/Kids"][1]
    assert (top["/Count"], sub["/Count"]) == (3, 2)
    assert findings(reader) == []
    require_normalised(result.checked.data)
    text = _text(result.checked.data)
    assert text.index("100 EUR") < text.index("9999 EUR") < text.index("Page 3")
    return top, sub


@pytest.mark.parametrize("lie", LYING.values(), ids=LYING.keys())
def test_a_lying_tree_is_rebuilt_to_the_pages_poppler_shows(lie):
    top, sub = rebuilt(tree(**lie))
    assert all(kid.raw_get("/Parent").idnum == top["/Kids"].raw_get(1).idnum
               for kid in (sub["/Kids"][0], sub["/Kids"][1]))


def test_a_consistent_tree_is_kept_byte_for_byte():
    pdf = tree(top_count=3, sub_count=2)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


@pytest.mark.parametrize("shape", [{"repeat": True}, {"loop": True}], ids=["repeat", "loop"])
def test_a_tree_that_reaches_a_node_twice_is_refused(shape):
    pdf = tree(top_count=3, sub_count=2, **shape)
    assert "repeated_pages" in findings(_reader(pdf))
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "repeated_pages" and refused.value.status == 422
    for language in ("en", "es"):
        assert "repeated_pages" not in refused.value.message(language)


def test_a_signed_file_with_one_is_refused():
    pki = samples.build_pki()
    signed = samples.sign(tree(), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(inconsistent_page_tree)" in refused.value.message("en")
