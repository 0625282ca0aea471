"""An annotation without an appearance stream, in a PDF a citizen signs (pdfatk9).

ISO 32000-2, 12.5.5: what an annotation shows is its appearance stream (/AP /N). Without one,
each viewer draws it its own way, or not at all: poppler and Acrobat draw a stamp named
/Approved as a large "Approved" and a free-text annotation as its /Contents ("Importe: 9999
EUR", over the amount), while PDFium (Chrome's viewer, the citizen's preview) draws no stamp
and, before its recent versions, no free text. The normalisation flattens widgets only from
their appearance and drops those without one, but kept every other annotation as it was:
the citizen saw a plain page and signed a file that other readers show as "Approved" or
"9999 EUR". Now an annotation without a normal appearance is removed
(`annotations_without_appearance`), except links (which have none by design) and pop-ups
(drawn from their parent annotation when opened); one with an appearance stays.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.normalise import FOUND, findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _numbers, _reader, _update
from tests.signing.test_pdfatk7_paper_only_annotations import PRINT, with_stamp
from tests.signing.verify import samples

STAMP = {N("/Subtype"): N("/Stamp"), N("/Name"): N("/Approved")}
FREE_TEXT = {N("/Subtype"): N("/FreeText"),
             N("/Contents"): generic.TextStringObject("Importe: 9999 EUR"),
             N("/DA"): generic.TextStringObject("0 g /Helv 24 Tf")}
LINK = {N("/Subtype"): N("/Link"), N("/A"): generic.DictionaryObject({
    N("/S"): N("/URI"), N("/URI"): generic.TextStringObject("https://example.org/")})}
POPUP = {N("/Subtype"): N("/Popup")}


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def with_annotation(entries: dict) -> bytes:
    """The blank page with one annotation over the amount, of `entries`, without /AP."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        annotation = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Rect"): _numbers(60, 700, 400, 800),
            N("/F"): generic.NumberObject(PRINT), **entries}))
        page_ref.get_object()[N("/Annots")] = generic.ArrayObject([annotation])
        writer.mark_update(page_ref)
    return _update(samples.blank_pdf(), change)


def _subtypes(pdf: bytes) -> list:
    page = _reader(pdf).root["/Pages"]["/Kids"][0]
    return [a.get_object()["/Subtype"] for a in page.get("/Annots", ())]


@pytest.mark.parametrize("entries", [STAMP, FREE_TEXT], ids=["stamp", "free_text"])
def test_an_annotation_each_viewer_draws_its_own_way_is_found_and_removed(entries):
    pdf = with_annotation(entries)
    assert "annotations_without_appearance" in FOUND
    assert findings(_reader(pdf)) == ["annotations_without_appearance"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("annotations_without_appearance", "earlier_revisions")
    assert _subtypes(result.checked.data) == []
    assert findings(_reader(result.checked.data)) == []


@pytest.mark.parametrize("entries", [LINK, POPUP], ids=["link", "popup"])
def test_links_and_popups_need_no_appearance(entries):
    pdf = with_annotation(entries)
    assert findings(_reader(pdf)) == []
    assert _subtypes(normalise(pdf, max_bytes=LIMIT).checked.data) == [entries[N("/Subtype")]]


def test_a_stamp_with_its_appearance_stays():
    pdf = with_stamp(PRINT)
    assert findings(_reader(pdf)) == []
    assert _subtypes(normalise(pdf, max_bytes=LIMIT).checked.data) == ["/Stamp"]


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(with_annotation(STAMP), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(annotations_without_appearance)" in refused.value.message("en")
