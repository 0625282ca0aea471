"""A layer whose visibility is a visibility expression is named by the layers it depends on
(pdfatk20).

An optional content membership dictionary (/OCMD) with a visibility expression (/VE, ISO
32000-2, 8.11.2.2: `[/And group [/Not group]]`...) has no /Name of its own: what it hides
was reported as the layer «?», which no reader's layers panel lists. Now it is named by the
layers of the expression hidden by default ("Capa"), the ones to switch on; an expression
whose layers are all shown by default is named by all of them.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify.test_pdfatk16_hidden_layer import _signed


def _expression_layered(shape: str) -> bytes:
    """One page drawing "Importe: 9999 EUR" under an /OCMD whose /VE combines the layer
    "Capa" (off by default) and "Sello" (on) as `shape` says."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    capa, sello = (writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCG"), N("/Name"): generic.TextStringObject(name)}))
        for name in ("Capa", "Sello"))
    expression = {
        "and": [N("/And"), capa, sello],
        "nested_not": [N("/And"), generic.ArrayObject([N("/Not"), sello]), capa],
        "only_shown_layers": [N("/Not"), sello],
    }[shape]
    membership = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCMD"), N("/VE"): generic.ArrayObject(expression)}))
    kit.insert_amount_on_layer(writer, font, "Capa", membership)
    writer.root[N("/OCProperties")] = writer.add_object(generic.DictionaryObject({
        N("/OCGs"): generic.ArrayObject([capa, sello]),
        N("/D"): generic.DictionaryObject({N("/OFF"): generic.ArrayObject([capa])})}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


NAMES = {"and": (("Capa", (1,)),), "nested_not": (("Capa", (1,)),),
         "only_shown_layers": (("Sello", (1,)),)}


@pytest.mark.parametrize("shape", NAMES)
def test_an_expression_is_named_by_its_layers(client, verifier, pki, shape):
    pdf = _signed(pki, _expression_layered(shape))
    report = verifier.verify(pdf)
    assert report.conclusion.passed and report.active_content == ("hidden_layer",)
    assert report.hidden_layers == NAMES[shape]
    name = NAMES[shape][0][0]
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert body["active_content"] == [{
        "kind": "hidden_layer",
        "message": text("verify.active.hidden_layer", "en") + " Hidden layers, and the pages "
                   f"they draw on: “{name}”, on page 1. Switch those layers on in your "
                   "reader's layers panel to see what they show."}]
