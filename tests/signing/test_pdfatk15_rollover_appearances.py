"""An annotation whose rollover or down appearance differs from what it shows (pdfatk15).

ISO 32000-2, 12.5.5: an annotation may have, besides its normal appearance (/AP /N), a
rollover appearance (/R), drawn while the pointer is over it, and a down appearance (/D),
drawn while a button is pressed on it. A stamp drawing "Importe: 100 EUR" with a rollover
appearance "Importe: 9999 EUR" shows the amount a preview and this service render, and the
other one to whoever points at it. The normalisation kept both in a file to sign, and the
verification said nothing of it. Now a file to sign keeps only the normal appearance
(`hidden_annotations`; a signed file with one is refused) and the verification reports it as
`shown_on_hover`. Widgets (form fields) are flattened from their normal appearance anyway and
are not named for their usual pressed look.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.normalise import findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _numbers, _reader, _update
from tests.signing.test_pdfatk7_paper_only_annotations import _annotations
from tests.signing.verify import samples


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def _appearance(writer, amount: str):
    return writer.add_object(generic.StreamObject(
        {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
         N("/BBox"): _numbers(0, 0, 300, 40)},
        stream_data=b"1 g 0 0 300 40 re f 0 g BT /Helvetica 18 Tf 2 12 Td "
                    b"(Importe: " + amount.encode() + b" EUR) Tj ET"))


def with_rollover(key: str = "/R", same: bool = False) -> bytes:
    """The blank page with a stamp drawing 100 EUR, whose appearance `key` draws 9999 EUR (or,
    with `same`, is the normal appearance itself)."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        normal = _appearance(writer, "100")
        other = normal if same else _appearance(writer, "9999")
        stamp = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Stamp"),
            N("/Rect"): _numbers(70, 750, 370, 790), N("/F"): generic.NumberObject(4),
            N("/AP"): generic.DictionaryObject({N("/N"): normal, N(key): other})}))
        page_ref.get_object()[N("/Annots")] = generic.ArrayObject([stamp])
        writer.mark_update(page_ref)
    return _update(samples.blank_pdf(), change)


@pytest.mark.parametrize("key", ["/R", "/D"])
def test_a_file_to_sign_keeps_only_the_normal_appearance(key):
    pdf = with_rollover(key)
    assert findings(_reader(pdf)) == ["hidden_annotations"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("hidden_annotations", "earlier_revisions")
    [stamp] = _annotations(result.checked.data)
    assert list(stamp["/AP"]) == ["/N"]
    assert b"9999" not in result.checked.data


def test_a_rollover_that_is_the_normal_appearance_is_nothing():
    assert findings(_reader(with_rollover(same=True))) == []


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(with_rollover(), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
