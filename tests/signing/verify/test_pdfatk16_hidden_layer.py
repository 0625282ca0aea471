"""A validly signed PDF whose signed content draws on a layer hidden by default (pdfatk16).

ISO 32000-2, 8.11: content in an optional content group (a layer) is shown only while the
layer is on, and the document's default configuration (`/OCProperties /D`) says which are on
when it is opened. A file prepared before signing may draw "Importe: 9999 EUR" on a layer
that is off there (`/OFF`, or `/BaseState /OFF`, or on only in an alternate configuration
under `/Configs`): poppler, the preview and the verification page show "100 EUR"; any reader
switches the layer on from its layers panel and shows "9999 EUR". The verdict stands (the
signed bytes are intact) but the report said nothing of it. Now `active_content` names it
(`hidden_layer`) in the API, on the page and in `cedula verify`'s text report; a layer on by
default, or a hidden layer nothing draws with, is not named.
"""

from __future__ import annotations

import html
import io
import subprocess

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

# How the default configuration treats the layer "Capa" that draws "Importe: 9999 EUR".
HIDDEN_STATES = ("off", "base_state_off", "on_only_in_an_alternate")
SHOWN_STATES = ("on", "listed_on_over_base_state_off")


def layered(state: str, *, drawn: bool = True) -> bytes:
    """One page showing "Importe: 100 EUR" and, on the layer "Capa" (in `state`), a white box
    with "Importe: 9999 EUR" over it; without `drawn`, the page names the layer in its
    resources but its content never draws with it."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    layer = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCG"), N("/Name"): generic.TextStringObject("Capa")}))
    kit.insert_amount_on_layer(writer, font, "Capa", layer)
    if not drawn:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page[N("/Contents")] = writer.add_object(generic.StreamObject(stream_data=samples.TEXT))
    default = generic.DictionaryObject()
    properties = generic.DictionaryObject({N("/OCGs"): generic.ArrayObject([layer]),
                                           N("/D"): default})
    if state in ("off", "on_only_in_an_alternate"):
        default[N("/OFF")] = generic.ArrayObject([layer])
    if state == "on_only_in_an_alternate":
        properties[N("/Configs")] = generic.ArrayObject([generic.DictionaryObject({
            N("/Name"): generic.TextStringObject("Completa"),
            N("/ON"): generic.ArrayObject([layer])})])
    if state in ("base_state_off", "listed_on_over_base_state_off"):
        default[N("/BaseState")] = N("/OFF")
    if state == "listed_on_over_base_state_off":
        default[N("/ON")] = generic.ArrayObject([layer])
    writer.root[N("/OCProperties")] = writer.add_object(properties)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rendered(pdf: bytes, tmp_path, name: str) -> bytes:
    """The page as poppler shows it (the default view), in PPM."""
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True, timeout=60)
    return (tmp_path / f"{name}.ppm").read_bytes()


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="module")
def hidden_layer(pki) -> bytes:
    return _signed(pki, layered("off"))


def test_poppler_shows_the_amount_only_when_the_layer_is_on(tmp_path):
    plain = rendered(samples.blank_pdf(), tmp_path, "plain")
    for state in HIDDEN_STATES:
        assert rendered(layered(state), tmp_path, state) == plain, state  # 100 EUR only
    for state in SHOWN_STATES:
        assert rendered(layered(state), tmp_path, state) != plain, state  # 9999 EUR drawn


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_what_a_hidden_layer_draws_is_told(verifier, pki, state):
    report = verifier.verify(_signed(pki, layered(state)))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("hidden_layer",)


@pytest.mark.parametrize("state", SHOWN_STATES)
def test_a_layer_shown_by_default_is_not(verifier, pki, state):
    report = verifier.verify(_signed(pki, layered(state)))
    assert report.conclusion.passed and report.active_content == ()


def test_a_hidden_layer_nothing_draws_with_is_not(verifier, pki):
    report = verifier.verify(_signed(pki, layered("off", drawn=False)))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, hidden_layer, tmp_path):
    body = kit.over_http(client, verifier, hidden_layer)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["hidden_layer"]
    for language in ("en", "es"):
        message = text("verify.active.hidden_layer", language)
        assert message != "verify.active.hidden_layer"
        _kind, _words, page = kit.over_the_page(client, verifier, hidden_layer, language)
        assert message in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "capa.pdf").write_bytes(hidden_layer)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "capa.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.hidden_layer', language)}" in result.output


def test_the_openapi_document_lists_the_kind():
    from signing.verify.active_content import KINDS
    from signing.verify.openapi import SCHEMAS

    kinds = SCHEMAS["VerificationReport"]["properties"]["active_content"]["items"][
        "properties"]["kind"]["enum"]
    assert "hidden_layer" in kinds and list(kinds) == list(KINDS)


def test_a_damaged_page_before_does_not_hide_it(verifier, pki):
    """A first page (naming the layer in its resources) whose content stream cannot be decoded
    (a reader draws nothing of it) and the amount on the hidden layer on the second: still
    told."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(layered("off"))))
    damaged = generic.StreamObject({N("/Filter"): N("/FlateDecode")},
                                   encoded_data=b"not deflate at all")
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        N("/Resources"): writer.root["/Pages"]["/Kids"][0].get_object().raw_get("/Resources"),
        N("/Contents"): writer.add_object(damaged)}), -1)
    out = io.BytesIO()
    writer.write(out)
    report = verifier.verify(_signed(pki, out.getvalue()))
    assert report.conclusion.passed and report.active_content == ("hidden_layer",)
