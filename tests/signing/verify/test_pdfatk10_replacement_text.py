"""A signed PDF whose replacement text says another amount than the page draws (pdfatk10).

`/ActualText` (ISO 32000-2, 14.9.4) replaces what a marked-content sequence or a structure
element draws when the file is read aloud, copied or searched. A page that draws
"Importe: 9999 EUR" inside `/Span <</ActualText (Importe: 100 EUR)>> BDC ... EMC` is
"Importe: 100 EUR" for `pdftotext` (poppler), for a screen reader and for copy and paste: a
blind citizen hears 100 EUR. Signed, it verified with nothing said. Now the verification names
it (`replacement_text`), verdict unchanged; an /Alt describing an illustration (Cédula's own
documents describe their QR code so) is not reported.
"""

from __future__ import annotations

import html
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify.active_content import found
from signing.verify.texts import text
from tests.signing.test_normalise import _font, _numbers, _text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

DRAWN = b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"


def page(content: bytes, *, properties=None, structure=None, form: bytes | None = None) -> bytes:
    """One page drawing `content`; `form`: the content of a form XObject /X0 it may draw."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject({N("/F1"): _font(writer)})
    resources = generic.DictionaryObject({N("/Font"): font})
    if form is not None:
        resources[N("/XObject")] = generic.DictionaryObject({N("/X0"): writer.add_object(
            generic.StreamObject(generic.DictionaryObject({
                N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
                N("/BBox"): _numbers(0, 0, 595, 842),
                N("/Resources"): generic.DictionaryObject({N("/Font"): font})}),
                stream_data=form))})
    if properties is not None:
        resources[N("/Properties")] = generic.DictionaryObject({N("/P0"): properties})
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/MediaBox"): _numbers(0, 0, 595, 842),
        N("/Resources"): resources,
        N("/Contents"): writer.add_object(generic.StreamObject(stream_data=content))}))
    if structure is not None:
        writer.root[N("/StructTreeRoot")] = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/StructTreeRoot"), N("/K"): writer.add_object(structure)}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _element(role: str, key: str) -> generic.DictionaryObject:
    return generic.DictionaryObject({N("/Type"): N("/StructElem"), N("/S"): N(role),
                                     N(key): generic.TextStringObject("Importe: 100 EUR"),
                                     N("/K"): generic.NumberObject(0)})


ACTUAL = b"/Span <</ActualText (Importe: 100 EUR)>> BDC " + DRAWN + b" EMC"
TOLD = {"actual_text_in_content": lambda: page(ACTUAL),
        "alt_in_content": lambda: page(b"/Span <</Alt (Importe: 100 EUR)>> BDC "
                                       + DRAWN + b" EMC"),
        "named_property_list": lambda: page(
            b"/Span /P0 BDC " + DRAWN + b" EMC", properties=generic.DictionaryObject(
                {N("/ActualText"): generic.TextStringObject("Importe: 100 EUR")})),
        "actual_text_in_structure": lambda: page(
            b"/P <</MCID 0>> BDC " + DRAWN + b" EMC", structure=_element("/P", "/ActualText")),
        "alt_on_a_paragraph": lambda: page(
            b"/P <</MCID 0>> BDC " + DRAWN + b" EMC", structure=_element("/P", "/Alt")),
        "in_a_form_xobject": lambda: page(b"/X0 Do", form=ACTUAL)}
QUIET = {"plain": lambda: page(DRAWN),
         "alt_on_a_figure": lambda: page(b"/Figure <</MCID 0>> BDC EMC",
                                         structure=_element("/Figure", "/Alt")),
         "a_name_that_starts_alike": lambda: page(b"/Alternate <</MCID 0>> BDC " + DRAWN
                                                  + b" EMC")}


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


def test_poppler_reads_the_replacement_not_what_is_drawn():
    assert "100 EUR" in _text(page(ACTUAL)) and "9999" not in _text(page(ACTUAL))


@pytest.mark.parametrize("prepared", TOLD.values(), ids=TOLD.keys())
def test_replacement_text_is_told(verifier, pki, prepared):
    report = verifier.verify(_signed(pki, prepared()))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("replacement_text",)


@pytest.mark.parametrize("prepared", QUIET.values(), ids=QUIET.keys())
def test_what_is_not_replacement_text_is_not(prepared):
    assert found(PdfFileReader(io.BytesIO(prepared()), strict=False)) == ()


def test_our_own_tagged_documents_are_not_told(issued):
    _document, pdf = issued
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    assert "/StructTreeRoot" in reader.root  # tagged: its QR code (/Figure) and its seal's
    # widget (/Form) described by an /Alt
    assert found(reader) == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, page(ACTUAL))
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["replacement_text"]
    for language in ("en", "es"):
        _kind, _words, shown = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.replacement_text", language) in html.unescape(shown)
