"""A field's script reached through a widget's /Parent, the field listed in no /Fields
(pdfatk20).

A widget annotation on a page inherits its field's additional actions (ISO 32000-2,
12.7.4.1: the field and its widgets are one; pdf.js collects /AA up the /Parent chain,
`collectActions`): a format or calculate script (`/AA /F`, `/AA /C`) on the parent sets what
the field shows ("Importe: 9999 EUR") when Firefox or Acrobat open the file. The
verification read /AA on the annotation and on the fields of /AcroForm /Fields only: a
parent listed nowhere hid it, and the file verified valid with no word of its script. The
normalisation's findings (what a signed file is refused for, and what `require_normalised`
checks) missed it likewise, though its flattening of widgets removed it from files to seal.
Now both tell it (`actions`; `additional_actions`), the verdict unchanged; the same widget
under a parent without actions is no finding.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.normalise import findings
from tests.signing.test_normalise import _reader
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_atk4_active_content import _javascript, _prepared


def _widget_under(kind: str, scripted: bool):
    """A widget on the second page whose parent field (type `kind`, listed in no /Fields)
    carries a format script when `scripted`."""
    def change(writer, page) -> None:
        parent = generic.DictionaryObject({
            N("/FT"): N(kind), N("/T"): generic.TextStringObject("Importe")})
        if kind == "/Tx":
            parent[N("/V")] = generic.TextStringObject("Importe: 100 EUR")
        if scripted:
            parent[N("/AA")] = generic.DictionaryObject({N("/F"): _javascript(writer)})
        parent_ref = writer.add_object(parent)
        appearance = writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
             N("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 228, 20)])},
            stream_data=b""))
        widget = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/Parent"): parent_ref,
            N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (72, 700, 300, 720)]),
            N("/AP"): generic.DictionaryObject({N("/N"): appearance})}))
        parent[N("/Kids")] = generic.ArrayObject([widget])
        page[N("/Annots")] = generic.ArrayObject([widget])
    return change


@pytest.mark.parametrize("kind", ["/Tx", "/Sig"], ids=["text", "signature"])
def test_a_script_of_an_unlisted_parent_field_is_told(client, verifier, pki, kind):
    pdf = samples.sign(_prepared(_widget_under(kind, True)), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    kit.assert_valid_but_told(client, verifier, pdf, "actions")


def test_a_parent_field_without_script_is_no_finding(verifier, pki):
    pdf = samples.sign(_prepared(_widget_under("/Sig", False)),
                       samples.signer_for(pki.signer, pki), stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.active_content == ()


def test_the_normalisation_finds_the_script_of_an_unlisted_parent_field():
    """(The prepared file has a text field of its own: `form_fields`.)"""
    assert findings(_reader(_prepared(_widget_under("/Sig", True)))) == [
        "additional_actions", "form_fields"]
    assert findings(_reader(_prepared(_widget_under("/Sig", False)))) == ["form_fields"]


def _calculated_only(writer, page) -> None:
    """A field with a calculate script (`/AA /C`: "Importe: 9999 EUR" into the amount's
    field), listed in the form's calculation order (/AcroForm /CO, ISO 32000-2, 12.7.3) and
    nowhere else: Acrobat runs the calculations of /CO when a field's value changes."""
    calculated = writer.add_object(generic.DictionaryObject({
        N("/FT"): N("/Tx"), N("/T"): generic.TextStringObject("Total"),
        N("/AA"): generic.DictionaryObject({N("/C"): _javascript(writer)})}))
    form = writer.root["/AcroForm"]
    form[N("/CO")] = generic.ArrayObject([calculated])
    writer.update_container(form)


def test_a_calculate_script_listed_only_in_the_calculation_order_is_told(verifier, pki):
    pdf = samples.sign(_prepared(_calculated_only), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.active_content == ("actions",)
    assert findings(_reader(_prepared(_calculated_only))) == [
        "additional_actions", "form_fields"]
