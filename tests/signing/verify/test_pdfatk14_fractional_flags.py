"""A signature field added after signing whose widget's annotation flags are not an integer.

ISO 32000-2, 12.5.3: /F is an integer. Cédula read `/F 2.5` as 2 (Hidden) and called the new
empty field invisible, so the signature TOTAL-PASSED with "validation data added"; poppler
(and pdf.js) take a flag word that is not an integer as no flags at all and draw the field's
white /MK background over the signed amount (a shadow "hide" attack, Mainka et al., NDSS 2021).
Flags that are not an integer now count as none: the field is shown.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.verify import attack_kit as kit


def _empty_field_over_the_text(pdf: bytes, flags) -> bytes:
    """An update adding an empty signature field `Visto` over the text, with a white /MK
    background, a /Rect pyHanko calls without area (an indirect number: an LTA update for
    it) and the annotation flags `flags`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    rect = [generic.NumberObject(0), generic.IndirectObject(5, 0, None),
            generic.NumberObject(595), generic.NumberObject(800)]
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Sig"),
        N("/T"): generic.TextStringObject("Visto"), N("/Rect"): generic.ArrayObject(rect),
        N("/P"): page_ref, N("/F"): flags,
        N("/MK"): generic.DictionaryObject(
            {N("/BG"): generic.ArrayObject([generic.FloatObject(1)] * 3)})}))
    return kit.with_widget(writer, page_ref.get_object(), widget)


@pytest.mark.parametrize("flags", ["2.5", "32.5", "34.5"])
def test_a_field_whose_flags_are_no_integer_is_shown(verifier, signed_indirect, client, flags):
    pdf = _empty_field_over_the_text(signed_indirect, generic.FloatObject(flags))
    kit.assert_added_field_shown(client, verifier, pdf)


def test_an_integer_hidden_flag_still_hides_it(verifier, signed_indirect):
    pdf = _empty_field_over_the_text(signed_indirect, generic.NumberObject(2))
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "validation_data"

