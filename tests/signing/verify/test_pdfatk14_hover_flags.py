"""A signature field added after signing, flagged NoView and ToggleNoView: shown on hover.

ISO 32000-2, 12.5.3, Table 167: ToggleNoView inverts NoView "for annotation selection and
mouse hovering, causing the annotation to be visible when the mouse pointer hovers over the
annotation or when the annotation is selected". Cédula read NoView alone and called such an
empty field hidden: the signature TOTAL-PASSED ("validation data") while a viewer that honours
the flag draws the field's white box over the signed amount as the reader points at it.
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic

from tests.signing.verify import attack_kit as kit
from tests.signing.verify.test_pdfatk14_fractional_flags import _empty_field_over_the_text


def test_a_field_shown_when_the_pointer_hovers_over_it_is_shown(verifier, signed_indirect, client):
    pdf = _empty_field_over_the_text(signed_indirect, generic.NumberObject(32 | 256))
    kit.assert_added_field_shown(client, verifier, pdf)
    hidden = _empty_field_over_the_text(signed_indirect, generic.NumberObject(2 | 32 | 256))
    assert verifier.verify(hidden).signatures[0].modifications.level == "validation_data"
