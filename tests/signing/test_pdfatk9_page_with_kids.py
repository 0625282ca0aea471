"""A page that also has /Kids, in a PDF a citizen signs (pdfatk9).

ISO 32000-2, 7.7.3: a page tree node has /Kids, a page object has /Type /Page. A dictionary
may say both. Poppler and pdf.js (Firefox's viewer) take a node typed /Page as a page,
whatever else it holds; PDFium (Chrome's) walks any /Kids array it finds
(`CPDF_Document::TraversePDFPages`). The normalisation took every node with a /Kids array
(even an empty one) for a tree node:

- it never read such a page's open action (/AA) or its links, so a JavaScript action on the
  one page of an upload passed as "nothing to remove", the file was kept byte for byte and
  signed (`pdfinfo` says "JavaScript: yes");
- a page "Importe: 9999 EUR" with one kid "Importe: 100 EUR" was kept too: the citizen's
  preview in Chrome shows 100 EUR, the signed file in Firefox, Acrobat or poppler 9999 EUR.

Now every node some viewer shows as a page is read and cleaned (a node typed /Page or without
/Kids is a page, and a /Kids array is followed wherever it is), and a page's /Kids are removed
(`ambiguous_pages`): every viewer shows the page itself.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _numbers, _reader
from tests.signing.verify import samples

SCRIPT = "this.print({bUI: false});"


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def _javascript(writer):
    return writer.add_object(generic.DictionaryObject({
        N("/S"): N("/JavaScript"), N("/JS"): generic.TextStringObject(SCRIPT)}))


def _open_action(writer) -> dict:
    return {N("/AA"): generic.DictionaryObject({N("/O"): _javascript(writer)})}


def _scripted_link(writer) -> dict:
    link = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): _numbers(72, 700, 300, 720),
        N("/A"): _javascript(writer)}))
    return {N("/Annots"): generic.ArrayObject([link])}


def _page(writer, extra: dict, amount: bytes = b"100") -> generic.DictionaryObject:
    content = writer.add_object(generic.StreamObject(
        stream_data=b"BT /Helvetica 18 Tf 72 760 Td (Importe: %s EUR) Tj ET" % amount))
    return generic.DictionaryObject({N("/Type"): N("/Page"), N("/MediaBox"): _numbers(0, 0, 595, 842),
                                     N("/Contents"): content, **extra})


def page_with_kids(acting, *, in_the_kid: bool = False) -> bytes:
    """One page "Importe: 100 EUR" typed /Page that also has /Kids: empty, its own actions
    `acting(writer)`; or (`in_the_kid`) one kid, a page "Importe: 9999 EUR" with those actions
    (what PDFium shows instead)."""
    writer = PdfFileWriter()
    kids = generic.ArrayObject()
    page = _page(writer, {N("/Kids"): kids} if in_the_kid else
                 {N("/Kids"): kids, **acting(writer)})
    writer.insert_page(page)
    if in_the_kid:
        parent = writer.root["/Pages"]["/Kids"].raw_get(0)
        kid = _page(writer, {N("/Parent"): parent, **acting(writer)}, amount=b"9999")
        kids.append(writer.add_object(kid))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CASES = [(lambda: page_with_kids(_open_action), "additional_actions"),
         (lambda: page_with_kids(_scripted_link), "actions"),
         (lambda: page_with_kids(_open_action, in_the_kid=True), "additional_actions")]
IDS = ["open_action", "link", "in_the_kid"]


@pytest.mark.parametrize(("prepared", "found"), CASES, ids=IDS)
def test_the_actions_of_a_page_with_kids_are_found_and_removed(prepared, found):
    pdf = prepared()
    assert findings(_reader(pdf)) == [found, "ambiguous_pages"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == (found, "ambiguous_pages")
    assert SCRIPT.encode() not in result.checked.data
    assert findings(_reader(result.checked.data)) == []


@pytest.mark.parametrize("acting", [lambda writer: {}, _open_action], ids=["plain", "acting"])
def test_every_viewer_shows_the_page_itself(acting):
    pdf = page_with_kids(acting, in_the_kid=True)
    result = normalise(pdf, max_bytes=LIMIT)
    assert "ambiguous_pages" in result.removed
    page = _reader(result.checked.data).root["/Pages"]["/Kids"][0]
    assert "/Kids" not in page and page["/Type"] == "/Page"
    assert b"100 EUR" in page["/Contents"].data
    assert b"9999" not in result.checked.data  # the kid only Chrome showed is gone


def test_an_empty_kids_array_is_removed_too():
    """PDFium shows no page at all for it (a tree node without kids)."""
    pdf = page_with_kids(lambda writer: {})
    assert findings(_reader(pdf)) == ["ambiguous_pages"]
    page = _reader(normalise(pdf, max_bytes=LIMIT).checked.data).root["/Pages"]["/Kids"][0]
    assert "/Kids" not in page


@pytest.mark.parametrize(("prepared", "found"), CASES[:1], ids=IDS[:1])
def test_a_signed_file_with_one_is_refused(pki, prepared, found):
    signed = samples.sign(prepared(), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert f"({found}, ambiguous_pages)" in refused.value.message("en")
