"""A signed PDF that carries an alternate presentation, a slideshow (pdfatk18).

ISO 32000-2, 13.5: the `/AlternatePresentations` name tree of the catalog's `/Names` holds
slideshows, images a reader that plays them (Acrobat) may show instead of the pages, one
after another. A file prepared before signing may carry one showing "Importe: 9999 EUR"
while its signed page shows "100 EUR"; normalisation removes the tree from files to sign,
but the verification report said nothing of it in a signed file. Now `active_content` names
it (`alternate_presentation`) in the API, on the page and in `cedula verify`; the verdict
stands.
"""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.verify.texts import text
from tests.signing.test_normalise import _update
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def slideshow() -> bytes:
    """The blank page ("100 EUR") with a slideshow of one image under the name "Pase"."""
    def change(writer, root):
        image = writer.add_object(generic.StreamObject({
            N("/Type"): N("/XObject"), N("/Subtype"): N("/Image"),
            N("/Width"): generic.NumberObject(2), N("/Height"): generic.NumberObject(2),
            N("/ColorSpace"): N("/DeviceGray"),
            N("/BitsPerComponent"): generic.NumberObject(8)}, stream_data=b"\x99\x99\x99\x99"))
        show = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/SlideShow"), N("/Subtype"): N("/Embedded"),
            N("/Resources"): generic.DictionaryObject({N("/Names"): generic.ArrayObject([
                generic.TextStringObject("pase.jpg"), image])}),
            N("/StartResource"): generic.TextStringObject("pase.jpg")}))
        root[N("/Names")] = writer.add_object(generic.DictionaryObject({
            N("/AlternatePresentations"): generic.DictionaryObject({
                N("/Names"): generic.ArrayObject([generic.TextStringObject("Pase"), show])})}))
    return _update(samples.blank_pdf(), change)


@pytest.fixture(scope="module")
def signed_slideshow(pki) -> bytes:
    return samples.sign(slideshow(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


def test_a_signed_slideshow_is_told(verifier, signed_slideshow):
    report = verifier.verify(signed_slideshow)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("alternate_presentation",)


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, signed_slideshow,
                                                 tmp_path):
    body = kit.over_http(client, verifier, signed_slideshow)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["alternate_presentation"]
    for language in ("en", "es"):
        message = text("verify.active.alternate_presentation", language)
        assert message != "verify.active.alternate_presentation"
        _kind, _words, page = kit.over_the_page(client, verifier, signed_slideshow, language)
        assert message in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "presentacion.pdf").write_bytes(signed_slideshow)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "presentacion.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.alternate_presentation', language)}" in result.output


def test_the_openapi_document_lists_the_kind():
    from signing.verify.active_content import KINDS
    from signing.verify.openapi import SCHEMAS

    kinds = SCHEMAS["VerificationReport"]["properties"]["active_content"]["items"][
        "properties"]["kind"]["enum"]
    assert "alternate_presentation" in kinds and list(kinds) == list(KINDS)
