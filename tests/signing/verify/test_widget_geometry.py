"""A signature field added after signing, whose widget pyHanko calls invisible and viewers draw.

pyHanko (`is_annot_visible`) computes a new signature field's area from its /Rect without
resolving indirect numbers: `/Rect [0 5 0 R 595 800]` has "no area" for it, so the field is
an LTA update (like a document time-stamp's) and the signature TOTAL-PASSED. Poppler resolves
the reference (ISO 32000-2, 7.3.10) and draws the empty field's /MK background over the
signed text (a shadow "hide" attack, Mainka et al., NDSS 2021).
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _empty_field_over_the_text(pdf: bytes, rect: list, *, flags: int = 4,
                               field_rect: list | None = None) -> bytes:
    """An update adding an empty signature field `Visto` with a white /MK background; with
    `field_rect`, the field has that /Rect itself and its widget is its kid."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/Rect"): generic.ArrayObject(rect),
        N("/P"): page_ref, N("/F"): generic.NumberObject(flags),
        N("/MK"): generic.DictionaryObject(
            {N("/BG"): generic.ArrayObject([generic.FloatObject(1)] * 3)})}))
    names = {N("/FT"): N("/Sig"), N("/T"): generic.TextStringObject("Visto")}
    if field_rect is None:
        widget.get_object().update(names)
        field = widget
    else:
        field = writer.add_object(generic.DictionaryObject({
            **names, N("/Rect"): generic.ArrayObject(field_rect),
            N("/Kids"): generic.ArrayObject([widget])}))
        widget.get_object()[N("/Parent")] = field
    return kit.with_widget(writer, page, widget, field)



def _number(value: int):
    return generic.NumberObject(value)


@pytest.mark.parametrize("rect", [
    [_number(0), generic.IndirectObject(5, 0, None), _number(595), _number(800)],
    [_number(0), _number(48), _number(595), _number(800)],
    [_number(0), _number(48), _number(595), _number(800), _number(1)],
], ids=["indirect-number", "direct", "five-numbers"])
def test_an_empty_signature_field_drawn_over_the_text_is_not_passed(verifier, signed_indirect,
                                                                    rect):
    assert verifier.verify(signed_indirect).conclusion.passed
    report = verifier.verify(_empty_field_over_the_text(signed_indirect, rect))
    first = report.signatures[0]
    assert (first.conclusion.indication.value, first.conclusion.sub_indication) == \
        ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert first.modifications.level == "form_filling"
    assert first.modifications.fields == ("Visto",)


def test_an_empty_field_without_area_still_passes(verifier, signed_indirect):
    rect = [_number(0), _number(0), _number(0), _number(0)]
    report = verifier.verify(_empty_field_over_the_text(signed_indirect, rect))
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "validation_data"


def test_after_a_certification_it_is_a_failure(verifier, pki):
    """ISO 32000-2, 12.8.2.2.2: after a certification (DocMDP P=1 or 2) no visible field may
    be added; pyHanko calls the widget invisible and let it pass as an LTA update."""
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Sello", subfilter=fields.SigSeedSubFilter.PADES,
                                        certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    certified = signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki),
                                  timestamper=samples.timestamper(pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(kit.indirect_length_pdf()))).getvalue()
    assert verifier.verify(certified).conclusion.passed
    rect = [_number(0), generic.IndirectObject(5, 0, None), _number(595), _number(800)]
    report = verifier.verify(_empty_field_over_the_text(certified, rect))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert report.signatures[0].modifications.level == "other"


def test_a_field_that_only_prints_is_not_passed(verifier, signed_indirect):
    """ISO 32000-2, 12.5.3: NoView hides a widget on screen, Print still prints it: the paper
    copy shows what the screen does not."""
    rect = [_number(0), generic.IndirectObject(5, 0, None), _number(595), _number(800)]
    report = verifier.verify(_empty_field_over_the_text(signed_indirect, rect, flags=32 | 4))
    assert report.signatures[0].modifications.level == "form_filling"
    hidden = _empty_field_over_the_text(signed_indirect, rect, flags=32)
    assert verifier.verify(hidden).signatures[0].modifications.level == "validation_data"


def test_a_field_without_area_whose_kid_has_one_is_not_passed(verifier, signed_indirect):
    rect = [_number(0), generic.IndirectObject(5, 0, None), _number(595), _number(800)]
    report = verifier.verify(_empty_field_over_the_text(
        signed_indirect, rect, field_rect=[_number(0)] * 4))
    assert report.signatures[0].modifications.level == "form_filling"
