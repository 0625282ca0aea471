"""Shadow attacks (Mainka, Mladenov, Rohlmann, NDSS 2021): content prepared before signing,
revealed after it by an incremental update that looks harmless. Hide (a form field's value
or appearance, an overlay annotation), replace (an object of the signed revision, the font),
hide-and-replace (only object references change: the page pointed at unused signed content,
an optional content layer switched on).

None of them may be reported valid: changes never allowed are TOTAL-FAILED, changes the PDF
standard allows but that alter what is shown are INDETERMINATE/SIG_CONSTRAINTS_FAILURE;
by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries, samples


@pytest.fixture(scope="module")
def prepared(pki) -> bytes:
    return samples.sign(kit.shadow_ready_pdf(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


def layer_switched_on(pdf: bytes) -> bytes:
    """Hide-and-replace by optional content: the default configuration turns the prepared
    layer on (the /OCProperties object rewritten, the catalog untouched)."""
    def change(writer):
        properties = writer.root["/OCProperties"]
        properties[N("/D")] = generic.DictionaryObject({N("/ON"): properties["/OCGs"]})
        writer.update_container(properties)
    return kit.updated(pdf, change)


def layer_base_state_on(pdf: bytes) -> bytes:
    def change(writer):
        properties = writer.root["/OCProperties"]
        properties["/D"][N("/BaseState")] = N("/ON")
        properties["/D"][N("/OFF")] = generic.ArrayObject()
        writer.update_container(properties)
    return kit.updated(pdf, change)


def font_swapped(pdf: bytes) -> bytes:
    """Replace by font: /F1 now names the font prepared before signing (1 drawn as 9)."""
    def change(writer):
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Resources"]["/Font"][N("/F1")] = writer.root.raw_get("/CedulaShadowFont")
        writer.update_container(page)
    return kit.updated(pdf, change)


def overlay_annotation(pdf: bytes) -> bytes:
    """An overlay: a FreeText annotation whose appearance paints over the amount."""
    def change(writer):
        ref, page, _box, appearance = kit.amount_painted_over(writer)
        annotation = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/FreeText"), N("/P"): ref,
            N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (70, 750, 370, 790)]),
            N("/DA"): generic.TextStringObject("/Helv 18 Tf 0 g"),
            N("/Contents"): generic.TextStringObject("Importe: 9999 EUR"),
            N("/AP"): generic.DictionaryObject({N("/N"): appearance})}))
        page[N("/Annots")] = generic.ArrayObject([*(page.get("/Annots") or []), annotation])
        writer.update_container(page)
    return kit.updated(pdf, change)


def field_value_only(pdf: bytes) -> bytes:
    """Hide by form value: the field's /V changed, its appearance left for the viewer."""
    def change(writer):
        widget = writer.root["/AcroForm"]["/Fields"][0].get_object()
        widget[N("/V")] = generic.TextStringObject("Importe: 9999 EUR")
        writer.update_container(widget)
    return kit.updated(pdf, change)


FAILED = ("TOTAL-FAILED", "FORMAT_FAILURE")
CONSTRAINED = ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
ATTACKS = [
    ("prepared", layer_switched_on, FAILED, "modified", "other"),
    ("prepared", layer_base_state_on, FAILED, "modified", "other"),
    ("prepared", font_swapped, FAILED, "modified", "other"),
    ("signed", overlay_annotation, FAILED, "modified", "other"),
    ("signed", forgeries.shadow_hide_annotation, FAILED, "modified", "other"),
    ("signed_with_field", forgeries.shadow_hide_form, CONSTRAINED, "changed_view",
     "form_filling"),
    ("signed_with_field", field_value_only, CONSTRAINED, "changed_view", "form_filling"),
    ("signed", forgeries.shadow_replace, FAILED, "modified", "other"),
    ("signed_with_hidden", forgeries.shadow_hide_and_replace, FAILED, "modified", "other"),
]


def test_the_prepared_document_is_valid_as_signed(verifier, prepared):
    assert verifier.verify(prepared).conclusion.passed


@pytest.mark.parametrize(("fixture", "attack", "expected", "reason", "level"), ATTACKS,
                         ids=[a[1].__name__ for a in ATTACKS])
def test_a_shadow_attack_is_not_valid(request, verifier, fixture, attack, expected, reason,
                                      level):
    report = verifier.verify(attack(request.getfixturevalue(fixture)))
    assert (report.indication.value, report.conclusion.sub_indication) == expected
    sig = report.signatures[0]
    assert (sig.reason, sig.modifications.level) == (reason, level)
    assert report.verdict.value == ("not_valid" if expected == FAILED else "indeterminate")


def test_the_api_refuses_them_too(request, client, verifier):
    for fixture, attack, expected, reason, level in ATTACKS:
        kit.assert_refused_over_http(
            client, verifier, attack(request.getfixturevalue(fixture)), reason=reason,
            level=level, indication=expected[0],
            verdict="not_valid" if expected == FAILED else "indeterminate")
