"""A layer switched on or off after signing is named in what changed (pdfatk19).

Hide-and-replace by optional content (Mainka et al., "Shadow attacks"): the signed content
already draws "Importe: 9999 EUR" on a layer that is off, and an update only switches it on
(or the signed "100 EUR" cover is drawn on a layer an update switches off). The signature is
not valid ("modified", `other`), but what changed was said only as "the document's content was
changed (pages, text, fonts or other objects)": nothing told the reader that the change is a
layer, nor which one, so that they could switch it back and compare. Now the explanation
(API, page, `cedula verify`) names each layer whose default visibility changed, in Spanish
and English.
"""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_attack_shadow import layer_switched_on
from tests.signing.verify.test_pdfatk16_hidden_layer import _signed, layered


def layer_switched_off(pdf: bytes) -> bytes:
    """The default configuration turns the layer "Capa", shown when signed, off."""
    def change(writer):
        properties = writer.root["/OCProperties"]
        properties[N("/D")] = generic.DictionaryObject({N("/OFF"): properties["/OCGs"]})
        writer.update_container(properties)
    return kit.updated(pdf, change)


@pytest.fixture(scope="module")
def switched(pki) -> dict[str, bytes]:
    signer = samples.signer_for(pki.signer, pki)
    return {
        "on": layer_switched_on(samples.sign(kit.shadow_ready_pdf(), signer,
                                             stamper=samples.timestamper(pki))),
        "off": layer_switched_off(_signed(pki, layered("on"))),
    }


SAID = {
    ("on", "en"): "The layer “Capa”, hidden when the document was signed, is now shown when "
                  "it opens.",
    ("on", "es"): "La capa «Capa», oculta cuando se firmó el documento, ahora se muestra al "
                  "abrirlo.",
    ("off", "en"): "The layer “Capa”, shown when the document was signed, is now hidden when "
                   "it opens: what it draws is no longer seen.",
    ("off", "es"): "La capa «Capa», visible cuando se firmó el documento, ahora está oculta al "
                   "abrirlo: lo que dibuja ya no se ve.",
}


@pytest.mark.parametrize("way", ["on", "off"])
def test_the_layer_switched_after_signing_is_named(client, app, verifier, switched, way,
                                                   tmp_path):
    pdf = switched[way]
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == (
        "TOTAL-FAILED", "FORMAT_FAILURE")
    modifications = report.signatures[0].modifications
    assert (report.signatures[0].reason, modifications.level) == ("modified", "other")
    assert modifications.layers == (("Capa", way == "on"),)
    for language in ("en", "es"):
        assert modifications.explanation(language) == \
            text("verify.modifications.other_layers", language) + " " + SAID[way, language]
    body = kit.over_http(client, verifier, pdf)
    assert body["signatures"][0]["modifications"]["explanation"] == \
        text("verify.modifications.other_layers", "en") + " " + SAID[way, "en"]
    for language in ("en", "es"):
        _kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert SAID[way, language] in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "capa.pdf").write_bytes(pdf)
    result = CliRunner().invoke(cli, ["verify", "--lang", "es", str(tmp_path / "capa.pdf")],
                                obj=Context(settings=get_settings(app)))
    assert SAID[way, "es"] in result.output


def test_other_changes_name_no_layer(verifier, signed):
    from tests.signing.verify import forgeries

    modifications = verifier.verify(forgeries.shadow_replace(signed)).signatures[0].modifications
    assert modifications.level == "other" and modifications.layers == ()
    assert modifications.explanation("en") == text("verify.modifications.other", "en")
