"""An annotation printed but never shown on screen, in a PDF a citizen signs (pdfatk7).

ISO 32000-2, 12.5.3: an annotation flagged NoView is not displayed on the screen, yet it is
printed when it is also flagged Print. A PDF uploaded for a citizen's signature with such a
stamp ("Importe: 9999 EUR") was kept by the normalisation: the preview (a screen) shows
"100 EUR", the signed file prints "9999 EUR" over it. What the citizen signs is what they
saw: such an annotation is removed (`hidden_annotations`), and an already signed file that
holds one is refused, as other content that changes what is shown is. An annotation hidden
both on screen and on paper (Hidden), or one shown on screen, stays.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.normalise import FOUND, findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _numbers, _reader, _update
from tests.signing.verify import samples

HIDDEN, PRINT, NO_VIEW = 2, 4, 32


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def with_stamp(flags: int) -> bytes:
    """The blank page with a stamp annotation drawing "Importe: 9999 EUR", flagged `flags`."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        appearance = writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
             N("/BBox"): _numbers(0, 0, 300, 40)},
            stream_data=b"1 g 0 0 300 40 re f 0 g BT /Helvetica 18 Tf 2 12 Td "
                        b"(Importe: 9999 EUR) Tj ET"))
        stamp = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Stamp"),
            N("/Rect"): _numbers(70, 750, 370, 790), N("/F"): generic.NumberObject(flags),
            N("/AP"): generic.DictionaryObject({N("/N"): appearance})}))
        page_ref.get_object()[N("/Annots")] = generic.ArrayObject([stamp])
        writer.mark_update(page_ref)
    return _update(samples.blank_pdf(), change)


def _annotations(pdf: bytes) -> list:
    page = _reader(pdf).root["/Pages"]["/Kids"][0]
    return [a.get_object() for a in page.get("/Annots", ())]


def test_a_stamp_only_paper_shows_is_found_and_removed():
    pdf = with_stamp(NO_VIEW | PRINT)
    assert "hidden_annotations" in FOUND
    assert findings(_reader(pdf)) == ["hidden_annotations"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("hidden_annotations", "earlier_revisions")
    assert _annotations(result.checked.data) == []
    assert b"9999" not in result.checked.data


@pytest.mark.parametrize("flags", [PRINT, 0, HIDDEN | PRINT, HIDDEN | NO_VIEW | PRINT, NO_VIEW])
def test_a_stamp_shown_on_screen_or_nowhere_stays(flags):
    pdf = with_stamp(flags)
    assert findings(_reader(pdf)) == []
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("earlier_revisions",)
    assert [a["/Subtype"] for a in _annotations(result.checked.data)] == ["/Stamp"]


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(with_stamp(NO_VIEW | PRINT), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(hidden_annotations)" in refused.value.message("en")
