"""A bookmark that runs JavaScript, in a validly signed PDF (pdfatk9).

A file prepared before signing may hold an outline (bookmarks, ISO 32000-2, 12.3.3) whose
items carry actions (/A, 12.6): a click on "Importe" in the reader's bookmark panel runs a
script that can fill a field or rewrite what the page shows. The signature covers it and
stays valid, but `active_content` read the catalog, the pages, their annotations and the
form, never the outline: the report said nothing, though it names the same script behind a
link. The signing side already removes such actions (`signing.normalise`); poppler's
`pdfsig` and pyHanko's validator say nothing of any action. Now an outline action other than
a go-to or web link, at any depth of the outline, is named `actions`; a plain go-to bookmark
is not.
"""

from __future__ import annotations

import html
import io

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

SCRIPT = "this.getField('Nota').value = 'Importe: 9999 EUR';"


def _javascript(writer):
    return writer.add_object(generic.DictionaryObject({
        N("/S"): N("/JavaScript"), N("/JS"): generic.TextStringObject(SCRIPT)}))


def _go_to(writer):
    page = writer.root["/Pages"]["/Kids"].raw_get(0)
    return generic.DictionaryObject({N("/S"): N("/GoTo"),
                                     N("/D"): generic.ArrayObject([page, N("/Fit")])})


def _with_outline(action) -> bytes:
    """The blank document with the outline Resumen > Importe, where "Importe" (a child of
    the first item, after a sibling without action) does `action(writer)`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))
    outline = writer.add_object(generic.DictionaryObject({N("/Type"): N("/Outlines")}))
    top = writer.add_object(generic.DictionaryObject({
        N("/Title"): generic.TextStringObject("Resumen"), N("/Parent"): outline,
        N("/A"): _go_to(writer)}))
    amount = writer.add_object(generic.DictionaryObject({
        N("/Title"): generic.TextStringObject("Importe"), N("/Parent"): top,
        N("/A"): action(writer)}))
    plain = writer.add_object(generic.DictionaryObject({
        N("/Title"): generic.TextStringObject("Datos"), N("/Parent"): top, N("/Next"): amount}))
    amount.get_object()[N("/Prev")] = plain
    top.get_object().update({N("/First"): plain, N("/Last"): amount,
                             N("/Count"): generic.NumberObject(2)})
    outline.get_object().update({N("/First"): top, N("/Last"): top,
                                 N("/Count"): generic.NumberObject(3)})
    writer.root[N("/Outlines")] = outline
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _a_script_after_a_web_link(writer):
    return generic.DictionaryObject({
        N("/S"): N("/URI"), N("/URI"): generic.TextStringObject("https://example.org/"),
        N("/Next"): _javascript(writer)})


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="module")
def scripted(pki) -> bytes:
    return _signed(pki, _with_outline(_javascript))


@pytest.mark.parametrize("action", [_javascript, _a_script_after_a_web_link],
                         ids=["javascript", "after_a_web_link"])
def test_a_bookmark_that_runs_a_script_is_told(verifier, pki, action):
    report = verifier.verify(_signed(pki, _with_outline(action)))
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("actions",)


def test_a_bookmark_that_goes_to_a_page_is_not(verifier, pki):
    report = verifier.verify(_signed(pki, _with_outline(_go_to)))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, scripted, tmp_path):
    body = kit.over_http(client, verifier, scripted)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["actions"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, scripted, language)
        assert text("verify.active.actions", language) in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "marcadores.pdf").write_bytes(scripted)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "marcadores.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.actions', language)}" in result.output
