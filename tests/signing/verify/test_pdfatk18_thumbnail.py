"""A signed PDF whose page carries a thumbnail image other than the page (pdfatk18).

ISO 32000-2, 12.3.4: a page's `/Thumb` is an image a reader may show in its thumbnails pane
instead of drawing the page small (Acrobat and Evince show a stored one). A file prepared
before signing may carry, for a page that says "Importe: 100 EUR", a thumbnail showing
another amount, or another page altogether; the signature covers it, the preview and the
verification page never show it. The verdict stands (the signed bytes are intact) but the
report said nothing of it: now `active_content` names it (`thumbnail`) in the API, on the
page and in `cedula verify`; and a file to sign loses its thumbnails (`thumbnails`), as it
loses the other things readers show besides the page, so a signed file with one is refused.
"""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.normalise import FOUND, findings, normalise
from signing.pdf_input import InvalidPdf
from signing.verify.texts import text
from tests.signing.test_normalise import LIMIT, _reader, _update
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

PIXELS = bytes([0x99, 0x19, 0x99]) * 16  # 4 x 4 RGB: what the thumbnails pane shows


def with_thumbnail(pdf: bytes | None = None) -> bytes:
    """The blank page ("100 EUR") with a 4 x 4 image of its own as its thumbnail."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        thumb = writer.add_object(generic.StreamObject({
            N("/Width"): generic.NumberObject(4), N("/Height"): generic.NumberObject(4),
            N("/ColorSpace"): N("/DeviceRGB"),
            N("/BitsPerComponent"): generic.NumberObject(8)}, stream_data=PIXELS))
        page_ref.get_object()[N("/Thumb")] = thumb
        writer.mark_update(page_ref)
    return _update(pdf or samples.blank_pdf(), change)


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="module")
def thumbnailed(pki) -> bytes:
    return _signed(pki, with_thumbnail())


def test_a_signed_thumbnail_is_told(verifier, thumbnailed):
    report = verifier.verify(thumbnailed)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("thumbnail",)


def test_a_page_without_one_is_not(verifier, signed):
    assert verifier.verify(signed).active_content == ()


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, thumbnailed,
                                                 tmp_path):
    body = kit.over_http(client, verifier, thumbnailed)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["thumbnail"]
    for language in ("en", "es"):
        message = text("verify.active.thumbnail", language)
        assert message != "verify.active.thumbnail"
        _kind, _words, page = kit.over_the_page(client, verifier, thumbnailed, language)
        assert message in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "miniatura.pdf").write_bytes(thumbnailed)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "miniatura.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.thumbnail', language)}" in result.output


def test_the_openapi_document_lists_the_kind():
    from signing.verify.active_content import KINDS
    from signing.verify.openapi import SCHEMAS

    kinds = SCHEMAS["VerificationReport"]["properties"]["active_content"]["items"][
        "properties"]["kind"]["enum"]
    assert "thumbnail" in kinds and list(kinds) == list(KINDS)


def test_a_file_to_sign_loses_its_thumbnails():
    pdf = with_thumbnail()
    assert "thumbnails" in FOUND
    assert findings(_reader(pdf)) == ["thumbnails"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("thumbnails", "earlier_revisions")
    page = _reader(result.checked.data).root["/Pages"]["/Kids"][0].get_object()
    assert "/Thumb" not in page
    assert PIXELS not in result.checked.data


def test_a_signed_file_with_one_is_refused(pki, thumbnailed):
    with pytest.raises(InvalidPdf) as refused:
        normalise(thumbnailed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(thumbnails)" in refused.value.message("en")
