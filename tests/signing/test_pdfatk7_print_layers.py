"""Optional content that prints otherwise than it shows, in a PDF a citizen signs (pdfatk7).

ISO 32000-2, 8.11.4: a layer (optional content group) that is off in the default
configuration is not shown on screen, but a configuration's automatic states (`/AS` with the
Print event) and the group's print usage (`/Usage /Print /PrintState /ON`) switch it on when
the document is printed. A PDF uploaded for a citizen's signature with "Importe: 9999 EUR" on
such a layer was kept by the normalisation: the preview showed "100 EUR", the paper would say
"9999 EUR". The print states are removed (`print_layers`): the layer prints as it shows (off);
an already signed file with them is refused. A layer that is simply off stays as it is.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import FOUND, findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _reader, _text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def layered(*, auto_state: bool = True, print_usage: bool = True) -> bytes:
    """One page whose "Importe: 9999 EUR" is drawn on a layer that is off on screen and,
    unless told otherwise, switched on for printing."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    layer = generic.DictionaryObject({N("/Type"): N("/OCG"),
                                      N("/Name"): generic.TextStringObject("Papel")})
    if print_usage:
        layer[N("/Usage")] = generic.DictionaryObject({N("/Print"): generic.DictionaryObject(
            {N("/Subtype"): N("/Print"), N("/PrintState"): N("/ON")})})
    layer_ref = writer.add_object(layer)
    kit.insert_amount_on_layer(writer, font, "Papel", layer_ref)
    default = generic.DictionaryObject({N("/OFF"): generic.ArrayObject([layer_ref])})
    if auto_state:
        default[N("/AS")] = generic.ArrayObject([generic.DictionaryObject({
            N("/Event"): N("/Print"), N("/OCGs"): generic.ArrayObject([layer_ref]),
            N("/Category"): generic.ArrayObject([N("/Print")])})])
    writer.root[N("/OCProperties")] = writer.add_object(generic.DictionaryObject({
        N("/OCGs"): generic.ArrayObject([layer_ref]), N("/D"): default}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("auto_state", "print_usage"), [(True, True), (True, False),
                                                          (False, True)])
def test_a_layer_switched_on_for_printing_is_found_and_kept_off(auto_state, print_usage):
    pdf = layered(auto_state=auto_state, print_usage=print_usage)
    assert "print_layers" in FOUND
    assert findings(_reader(pdf)) == ["print_layers"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("print_layers",)
    properties = _reader(result.checked.data).root["/OCProperties"]
    assert "/AS" not in properties["/D"] and len(properties["/D"]["/OFF"]) == 1
    groups = [ref.get_object() for ref in properties["/OCGs"]]
    assert all("/Print" not in group.get("/Usage", {}) for group in groups)
    assert findings(_reader(result.checked.data)) == []
    assert "9999" not in _text(result.checked.data)  # poppler shows the layer off


def test_a_layer_that_is_only_off_stays():
    pdf = layered(auto_state=False, print_usage=False)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(layered(), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(print_layers)" in refused.value.message("en")
