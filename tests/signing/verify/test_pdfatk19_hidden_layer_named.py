"""A hidden layer is named, with the pages it draws on (pdfatk19).

pdfatk16 made the report say that something is drawn on a layer hidden by default, but not
which layer nor where: a citizen who opens the layers panel of their reader finds a list of
layers (a real document may have dozens) and no word of which one hides "Importe: 9999 EUR",
nor on which page to look. Now the report (API, page, `cedula verify`) names each hidden layer
something draws with by its /Name and the pages it draws on, in Spanish and English.
"""

from __future__ import annotations

import html
import io

from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_pdfatk16_hidden_layer import _signed, layered

NAMED = {"en": "Hidden layers, and the pages they draw on: “Capa”, on page 1. Switch those "
               "layers on in your reader's layers panel to see what they show.",
         "es": "Capas ocultas y páginas en las que dibujan: «Capa», en la página 1. Si activa "
               "esas capas en el panel de capas de su lector, verá lo que muestran."}


def test_the_api_the_page_and_the_command_name_the_layer(client, app, verifier, pki, tmp_path):
    pdf = _signed(pki, layered("off"))
    report = verifier.verify(pdf)
    assert report.conclusion.passed and report.active_content == ("hidden_layer",)
    assert report.hidden_layers == (("Capa", (1,)),)
    body = kit.over_http(client, verifier, pdf)
    assert body["active_content"] == [{
        "kind": "hidden_layer",
        "message": text("verify.active.hidden_layer", "en") + " " + NAMED["en"]}]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert NAMED[language] in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "capa.pdf").write_bytes(pdf)
    for language in ("en", "es"):
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "capa.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert (f"WARNING: {text('verify.active.hidden_layer', language)} {NAMED[language]}"
                in result.output.splitlines())


def _stamped_pages() -> bytes:
    """Three pages; pages 1 and 3 draw the same form XObject ("Importe: 9999 EUR"), which
    belongs to the layer "Sello\\x07 de pago" (a bell in its name), off by default; page 2
    draws nothing on it."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    layer = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCG"), N("/Name"): generic.TextStringObject("Sello\x07 de pago")}))
    form = writer.add_object(generic.StreamObject({
        N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"), N("/OC"): layer,
        N("/BBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        N("/Resources"): generic.DictionaryObject({
            N("/Font"): generic.DictionaryObject({N("/F1"): font})})},
        stream_data=b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"))
    for number in (1, 2, 3):
        resources = generic.DictionaryObject({
            N("/Font"): generic.DictionaryObject({N("/F1"): font})})
        drawing = b""
        if number != 2:
            resources[N("/XObject")] = generic.DictionaryObject({N("/Fm"): form})
            drawing = b" /Fm Do"
        writer.insert_page(generic.DictionaryObject({
            N("/Type"): N("/Page"),
            N("/MediaBox"): generic.ArrayObject([generic.NumberObject(v)
                                                 for v in (0, 0, 595, 842)]),
            N("/Resources"): resources,
            N("/Contents"): writer.add_object(generic.StreamObject(
                stream_data=samples.TEXT + drawing))}))
    writer.root[N("/OCProperties")] = writer.add_object(generic.DictionaryObject({
        N("/OCGs"): generic.ArrayObject([layer]),
        N("/D"): generic.DictionaryObject({N("/OFF"): generic.ArrayObject([layer])})}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_form_drawn_on_two_pages_names_both_and_the_name_is_printable(verifier, pki):
    report = verifier.verify(_signed(pki, _stamped_pages()))
    assert report.active_content == ("hidden_layer",)
    assert report.hidden_layers == (("Sello\x07 de pago", (1, 3)),)
    messages = dict(report.active_messages("es"))
    assert messages["hidden_layer"].endswith(
        "Capas ocultas y páginas en las que dibujan: «Sello de pago», en las páginas 1, 3. "
        "Si activa esas capas en el panel de capas de su lector, verá lo que muestran.")
