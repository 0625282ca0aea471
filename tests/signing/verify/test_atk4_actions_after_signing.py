"""A signature field with JavaScript added after signing (round 4).

After a signature, pyHanko's difference analysis lets an update add a signature field (for a
later signature or a document time-stamp) and grades it as validation data when its widget
has no area. It does not look at the field's actions: an invisible signature field whose
widget runs JavaScript when the page opens (/AA /PO) or when it is clicked (/A) passed as
"validation data added", TOTAL-PASSED, although the script (which the signer never saw) can
write "9999 EUR" into the form or hide what was signed. Such an update is a modification
(TOTAL-FAILED/FORMAT_FAILURE), by the service and by POST /api/verify.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from tests.signing.verify import attack_kit as kit

SCRIPT = "this.getField('Nota').value = 'Importe: 9999 EUR';"


def _script():
    return generic.DictionaryObject({N("/S"): N("/JavaScript"),
                                     N("/JS"): generic.TextStringObject(SCRIPT)})


def _signature_field(actions: dict):
    """An update adding an empty, invisible signature field "Otra" with `actions`."""
    def change(writer):
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        field = writer.add_object(generic.DictionaryObject({
            N("/FT"): N("/Sig"), N("/T"): generic.TextStringObject("Otra"),
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/F"): generic.NumberObject(132),
            N("/Rect"): generic.ArrayObject([generic.NumberObject(0)] * 4), N("/P"): page_ref,
            **actions}))
        annotations = page.get("/Annots")
        page[N("/Annots")] = generic.ArrayObject(
            [*(annotations.raw_get(i) for i in range(len(annotations))), field]
            if annotations is not None else [field])
        writer.update_container(page)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(field)
        writer.update_container(form)
    return change


ACTIONS = {
    "on_page_open": {N("/AA"): generic.DictionaryObject({N("/PO"): _script()})},
    "on_click": {N("/A"): _script()},
}


@pytest.mark.parametrize("actions", ACTIONS.values(), ids=ACTIONS.keys())
def test_a_signature_field_with_actions_added_after_signing_is_a_modification(
        verifier, signed, actions):
    report = verifier.verify(kit.updated(signed, _signature_field(actions)))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    signature = report.signatures[0]
    assert (signature.reason, signature.modifications.level) == ("modified", "other")
    assert signature.modifications.fields == ("Otra",)
    assert report.active_content == ("actions",)


def test_an_empty_signature_field_without_actions_still_passes(verifier, signed):
    report = verifier.verify(kit.updated(signed, _signature_field({})))
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "validation_data"


def test_the_api_refuses_it_too(client, verifier, signed):
    kit.assert_refused_over_http(client, verifier,
                                 kit.updated(signed, _signature_field(ACTIONS["on_page_open"])),
                                 reason="modified", level="other")
