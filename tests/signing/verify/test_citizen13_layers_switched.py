"""A layer switched on or off after signing is named as such (citizen13).

A signed file whose default view shows "Importe: 100 EUR" gets, after signing, an update that
only changes which layers are on when it opens (`/OCProperties /D`): the layer drawing
"Importe: 9999 EUR" now shows, or the one that showed is now hidden. It is no valid
document (a change pyHanko grades OTHER), yet the page named the change only as "the
document's content was changed (pages, text, fonts or other objects)": a citizen comparing
the pages found no changed text or font. The change is now named as layers switched, in the
verdict's box and the details, in Spanish and English; the report's level stays "other".
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_citizen13_change_named import _verdict_box
from tests.signing.verify.test_pdfatk16_hidden_layer import layered


def _hidden_after(writer) -> None:
    properties = writer.root["/OCProperties"]
    properties["/D"][N("/OFF")] = generic.ArrayObject([properties["/OCGs"].raw_get(0)])
    writer.update_container(properties)


def _shown_after(writer) -> None:
    properties = writer.root["/OCProperties"]
    del properties["/D"][N("/OFF")]
    writer.update_container(properties)


SWITCHES = [("on", _hidden_after), ("off", _shown_after)]


@pytest.mark.parametrize(("state", "switch"), SWITCHES, ids=["hidden_after", "shown_after"])
def test_a_layer_switched_after_signing_is_named(client, verifier, pki, state, switch):
    signed = samples.sign(layered(state), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    pdf = kit.updated(signed, switch)
    signature = verifier.verify(pdf).signatures[0]
    assert (signature.conclusion.indication.value, signature.modifications.level) == \
        ("TOTAL-FAILED", "other")
    for language in ("es", "en"):
        assert signature.modifications.explanation(language) != \
            text("verify.modifications.other", language)
        named = text("verify.modifications.other_layers", language)
        # then the layer switched, by name (pdfatk19's sentence)
        layer = text("verify.modifications.layer_hidden" if state == "on" else "verify.modifications.layer_shown",
                     language, name="Capa")
        assert signature.modifications.explanation(language) == f"{named} {layer}"
        kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert kind == "not_valid"
        assert f"{text('verify.verdict.found', language)} {named}" in _verdict_box(page)


def test_content_changed_after_signing_is_not_called_layers(verifier, signed):
    from tests.signing.verify import forgeries

    signature = verifier.verify(forgeries.incremental_saving(signed)).signatures[0]
    assert signature.modifications.level == "other"
    assert signature.modifications.explanation("en") == text("verify.modifications.other", "en")
