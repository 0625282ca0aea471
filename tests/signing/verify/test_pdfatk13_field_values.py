"""A signed form field whose value differs from what its appearance draws (pdfatk13).

A text field's /V says 9999 EUR while its appearance stream draws 100 EUR (or a check box's
/V is /Off while its /AS draws it checked). Firefox's viewer (pdf.js) shows a text field as
an input holding /V, and ticks a box when /V names its state; poppler, Chrome and Acrobat
draw the appearance. Signed externally, the file verified with nothing said: one amount in
one viewer, the other in the next. The verification now names it (`field_values`), verdict
unchanged. A file to sign has its widgets drawn from their appearance and its form removed
(`signing.normalise`), so the value it kept is gone: held, tested below.
"""

from __future__ import annotations

import html
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import normalise
from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

HELVETICA = {N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"),
             N("/BaseFont"): N("/Helvetica"), N("/Encoding"): N("/WinAnsiEncoding")}
EMBEDDED = {**HELVETICA, N("/FontDescriptor"): generic.DictionaryObject({
    N("/FontFile"): generic.NullObject()})}  # an embedded font program draws any glyph


def _numbers(*values):
    return generic.ArrayObject([generic.NumberObject(v) for v in values])


def form(value: generic.PdfObject, drawn: bytes, *, font: dict = HELVETICA,
         field_type: str = "/Tx", states: dict | None = None, state: str | None = None
         ) -> bytes:
    """One page with one field of `field_type` whose /V is `value` and whose appearance
    draws `drawn` (or has the appearance `states`, /AS `state`, for a check box)."""
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/MediaBox"): _numbers(0, 0, 595, 842)}))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    resources = generic.DictionaryObject({N("/Font"): generic.DictionaryObject({
        N("/Helv"): writer.add_object(generic.DictionaryObject(font))})})
    if states is None:
        normal = writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
             N("/BBox"): _numbers(0, 0, 200, 30), N("/Resources"): resources},
            stream_data=drawn))
    else:
        normal = generic.DictionaryObject({N(name): writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
             N("/BBox"): _numbers(0, 0, 20, 20)}, stream_data=data))
            for name, data in states.items()})
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N(field_type),
        N("/T"): generic.TextStringObject("Importe"), N("/Rect"): _numbers(72, 750, 272, 780),
        N("/F"): generic.NumberObject(4), N("/P"): page_ref, N("/V"): value,
        N("/AP"): generic.DictionaryObject({N("/N"): normal}),
        **({N("/AS"): N(state)} if state else {})}))
    page_ref.get_object()[N("/Annots")] = generic.ArrayObject([widget])
    writer.root[N("/AcroForm")] = writer.add_object(generic.DictionaryObject({
        N("/Fields"): generic.ArrayObject([widget]), N("/DR"): resources}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


AMOUNT = generic.TextStringObject("9999 EUR")
DRAWN_100 = b"/Tx BMC q BT /Helv 12 Tf 2 8 Td (100 EUR) Tj ET Q EMC"
CHECKED = {"/Yes": b"0 g 2 2 16 16 re f", "/Off": b""}
LYING = {
    "text": lambda: form(AMOUNT, DRAWN_100),
    "text_in_pieces": lambda: form(AMOUNT, b"BT /Helv 12 Tf [(10) -20 (0) ( EUR)] TJ ET"),
    "embedded_font": lambda: form(AMOUNT, b"BT /Helv 12 Tf (9999 EUR) Tj ET", font=EMBEDDED),
    "invisible_text": lambda: form(AMOUNT, b"BT 3 Tr /Helv 12 Tf (9999 EUR) Tj ET"),
    "nothing_drawn": lambda: form(AMOUNT, b""),
    "check_box": lambda: form(N("/Off"), b"", field_type="/Btn", states=CHECKED,
                              state="/Yes"),
}
AGREEING = {
    "text": lambda: form(AMOUNT, b"/Tx BMC q BT /Helv 12 Tf 2 8 Td (9999 EUR) Tj ET Q EMC"),
    "escaped": lambda: form(generic.TextStringObject("(9) EUR"),
                            b"BT /Helv 12 Tf (\\(\\071\\) EUR) Tj ET"),
    "empty": lambda: form(generic.TextStringObject(""), b"/Tx BMC EMC"),
    "check_box": lambda: form(N("/Yes"), b"", field_type="/Btn", states=CHECKED,
                              state="/Yes"),
}


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize("build", LYING.values(), ids=LYING.keys())
def test_a_field_whose_value_is_not_what_it_draws_is_told(verifier, pki, build):
    report = verifier.verify(_signed(pki, build()))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("field_values",)


@pytest.mark.parametrize("build", AGREEING.values(), ids=AGREEING.keys())
def test_a_field_that_draws_its_value_is_not(verifier, pki, build):
    report = verifier.verify(_signed(pki, build()))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_and_the_page_say_so(client, verifier, pki):
    pdf = _signed(pki, LYING["text"]())
    body = kit.over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["field_values"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert text("verify.active.field_values", language) in html.unescape(page)


def test_a_file_to_sign_keeps_what_was_drawn_and_loses_the_value():
    """Held: the normalisation draws the appearance (100 EUR) into the page and removes the
    form, so no reader can show the stored 9999 EUR."""
    result = normalise(LYING["text"](), max_bytes=10_000_000)
    assert "form_fields" in result.removed
    reader = PdfFileReader(io.BytesIO(result.checked.data))
    assert "/AcroForm" not in reader.root
    page = reader.root["/Pages"]["/Kids"][0]
    assert "/Annots" not in page
    drawn = b"".join(x.get_object().data for x in page["/Resources"]["/XObject"].values())
    assert b"(100 EUR)" in drawn and b"9999" not in result.checked.data
