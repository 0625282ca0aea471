"""Optional content that prints otherwise than it shows, in a PDF a citizen signs (pdfatk7).

ISO 32000-2, 8.11.4: a layer (optional content group) that is off in the default
configuration is not shown on screen, but a configuration's automatic states (`/AS` with the
Print event) and the group's print usage (`/Usage /Print /PrintState /ON`) switch it on when
the document is printed. A PDF uploaded for a citizen's signature with "Importe: 9999 EUR" on
such a layer was kept by the normalisation: the preview showed "100 EUR", the paper would say
"9999 EUR". The print states are removed (`print_layers`): the layer prints as it shows (off);
an already signed file with them is refused. Since pdfatk16 a layer that is off on screen and
draws something is refused whatever it does on paper (`hidden_layers`,
`tests/signing/test_pdfatk16_hidden_layers.py`): the print states are removed from a layer
shown on screen and switched off for printing, which then prints as it shows (on).
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


def layered(*, auto_state: bool = True, print_usage: bool = True, on_screen: bool = False
            ) -> bytes:
    """One page whose "Importe: 9999 EUR" is drawn on a layer that is off on screen and,
    unless told otherwise, switched on for printing (`on_screen`: on on screen, switched off
    for printing)."""
    paper = "/OFF" if on_screen else "/ON"
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    layer = generic.DictionaryObject({N("/Type"): N("/OCG"),
                                      N("/Name"): generic.TextStringObject("Papel")})
    if print_usage:
        layer[N("/Usage")] = generic.DictionaryObject({N("/Print"): generic.DictionaryObject(
            {N("/Subtype"): N("/Print"), N("/PrintState"): N(paper)})})
    layer_ref = writer.add_object(layer)
    kit.insert_amount_on_layer(writer, font, "Papel", layer_ref)
    default = generic.DictionaryObject({N("/ON" if on_screen else "/OFF"):
                                        generic.ArrayObject([layer_ref])})
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
def test_a_layer_switched_off_for_printing_is_found_and_kept_on(auto_state, print_usage):
    pdf = layered(auto_state=auto_state, print_usage=print_usage, on_screen=True)
    assert "print_layers" in FOUND
    assert findings(_reader(pdf)) == ["print_layers"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("print_layers",)
    properties = _reader(result.checked.data).root["/OCProperties"]
    assert "/AS" not in properties["/D"] and len(properties["/D"]["/ON"]) == 1
    groups = [ref.get_object() for ref in properties["/OCGs"]]
    assert all("/Print" not in group.get("/Usage", {}) for group in groups)
    assert findings(_reader(result.checked.data)) == []
    assert "9999" in _text(result.checked.data)  # poppler shows the layer on


@pytest.mark.parametrize(("auto_state", "print_usage"), [(True, True), (True, False),
                                                          (False, True), (False, False)])
def test_a_layer_off_on_screen_is_refused_whatever_it_prints(auto_state, print_usage):
    pdf = layered(auto_state=auto_state, print_usage=print_usage)
    assert "hidden_layers" in findings(_reader(pdf))
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "hidden_layers"


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(layered(), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(print_layers, hidden_layers)" in refused.value.message("en")
