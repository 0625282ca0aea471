"""A layer hidden by default, in a PDF a citizen signs (pdfatk16).

ISO 32000-2, 8.11: content on an optional content group (a layer) that the document's default
configuration switches off (`/OCProperties /D /OFF`, `/BaseState /OFF`, or on only in an
alternate configuration under `/Configs`) is not in the preview (poppler renders the default
view: `tests.signing.verify.test_pdfatk16_hidden_layer.test_poppler_shows_the_amount_only_when_the_layer_is_on`),
yet any reader switches it on from its layers panel. A PDF uploaded for a citizen's signature
with "Importe: 9999 EUR" on such a layer was kept unchanged by the normalisation: the citizen
approved "100 EUR" and signed a file that shows "9999 EUR" to whoever opens the layer. Removing
only that content would mean editing the content streams, so such a file is refused
(`hidden_layers`, naming the layer) with a sentence saying to print it to a new PDF; a signed
one is refused as it was for what it cannot remove; a layer shown by default stays.
"""

from __future__ import annotations

import pytest

from signing.i18n import text
from signing.normalise import FOUND, findings, normalise, require_normalised
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _reader
from tests.signing.verify import samples
from tests.signing.verify.test_pdfatk16_hidden_layer import HIDDEN_STATES, SHOWN_STATES, layered


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_file_drawing_on_a_hidden_layer_is_refused(state):
    pdf = layered(state)
    assert "hidden_layers" in FOUND and findings(_reader(pdf)) == ["hidden_layers"]
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "hidden_layers" and refused.value.status == 422
    for language in ("en", "es"):
        message = refused.value.message(language)
        assert message == text("documents.input.hidden_layers", language, layers='"Capa"')
        assert '"Capa"' in message and "{" not in message and "hidden_layers" not in message
    with pytest.raises(InvalidPdf) as still:
        require_normalised(pdf)
    assert still.value.key == "not_normalised"


@pytest.mark.parametrize("state", SHOWN_STATES)
def test_a_layer_shown_by_default_stays(state):
    pdf = layered(state)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_hidden_layer_nothing_draws_with_stays():
    pdf = layered("off", drawn=False)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(layered("off"), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(hidden_layers)" in refused.value.message("en")


def _variant(change) -> bytes:
    """`layered("off")` whose page no longer marks its content: `change(writer, page, layer)`
    draws "Importe: 9999 EUR" with the hidden layer "Capa" another way."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(layered("off"))))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    layer = writer.root["/OCProperties"]["/OCGs"].raw_get(0)
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=samples.TEXT))
    change(writer, page, layer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_AMOUNT = b"1 1 1 rg 70 750 300 30 re f 0 0 0 rg BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"


def _form(writer, page, extra: dict, *, resources: bool = True, content: bytes = _AMOUNT):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N

    entries = {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
               N("/BBox"): generic.ArrayObject([generic.NumberObject(n)
                                                for n in (0, 0, 595, 842)]), **extra}
    if resources:
        entries[N("/Resources")] = page["/Resources"]
    return writer.add_object(generic.StreamObject(entries, stream_data=content))


def _with_xobject(writer, page, form) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N

    page["/Resources"][N("/XObject")] = generic.DictionaryObject({N("/Fm1"): form})
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=samples.TEXT + b" /Fm1 Do"))


def _membership(writer, layer, policy: str):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N

    return writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCMD"), N("/OCGs"): generic.ArrayObject([layer]), N("/P"): N(policy)}))


def _escaped_tag(writer, page, layer):
    from pyhanko.pdf_utils import generic

    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=samples.TEXT + b" /O#43 /Capa BDC " + _AMOUNT + b" EMC"))


def _form_on_layer(writer, page, layer):
    from pyhanko.pdf_utils.generic import NameObject as N

    _with_xobject(writer, page, _form(writer, page, {N("/OC"): layer}))


def _form_in_a_membership(writer, page, layer):
    from pyhanko.pdf_utils.generic import NameObject as N

    _with_xobject(writer, page, _form(writer, page, {
        N("/OC"): _membership(writer, layer, "/AllOn")}))


def _marked_in_a_form_without_resources(writer, page, layer):
    _with_xobject(writer, page, _form(writer, page, {}, resources=False,
                                      content=b"/OC /Capa BDC " + _AMOUNT + b" EMC"))


def _stamp_on_layer(writer, page, layer):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N

    page[N("/Annots")] = generic.ArrayObject([writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Stamp"), N("/F"): generic.NumberObject(4),
        N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        N("/OC"): layer,
        N("/AP"): generic.DictionaryObject({N("/N"): _form(writer, page, {})})}))])


@pytest.mark.parametrize("change", [_escaped_tag, _form_on_layer, _form_in_a_membership,
                                    _marked_in_a_form_without_resources, _stamp_on_layer])
def test_other_ways_of_drawing_on_a_hidden_layer_are_refused(change):
    pdf = _variant(change)
    assert findings(_reader(pdf)) == ["hidden_layers"]
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "hidden_layers"


def test_a_membership_shown_while_its_group_is_off_is_not_hidden():
    from pyhanko.pdf_utils.generic import NameObject as N

    def shown_when_off(writer, page, layer):  # /AnyOff: shown because "Capa" is off
        _with_xobject(writer, page, _form(writer, page, {
            N("/OC"): _membership(writer, layer, "/AnyOff")}))
    assert findings(_reader(_variant(shown_when_off))) == []
