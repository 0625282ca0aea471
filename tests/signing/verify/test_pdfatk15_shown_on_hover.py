"""A validly signed PDF with an annotation shown only under the pointer (pdfatk15).

ISO 32000-2, 12.5.3, Table 167: an annotation flagged NoView and ToggleNoView is not shown
until the pointer hovers over it or selects it; then it is. A file prepared before signing may
hold such a stamp ("Importe: 9999 EUR"): the signature covers it, the verification page and a
reader who does not point at it see "100 EUR", one who hovers sees "9999 EUR". The verdict
stands (the signed bytes are intact), but the report said nothing of it, as it says of what
only prints (`printed_only`). Now `active_content` names it (`shown_on_hover`), in the API,
on the page and in `cedula verify`'s text report; a stamp always shown, or hidden (Hidden),
is not named.
"""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner

from signing.verify.texts import text
from tests.signing.test_pdfatk7_paper_only_annotations import HIDDEN, NO_VIEW, PRINT, with_stamp
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

TOGGLE_NO_VIEW = 256


def _signed(pki, pdf: bytes) -> bytes:
    return samples.sign(pdf, samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="module")
def hovering(pki) -> bytes:
    return _signed(pki, with_stamp(NO_VIEW | TOGGLE_NO_VIEW))


def test_what_only_the_pointer_shows_is_told(verifier, hovering):
    report = verifier.verify(hovering)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("shown_on_hover",)


def test_one_also_printed_is_told_both_ways(verifier, pki):
    report = verifier.verify(_signed(pki, with_stamp(NO_VIEW | TOGGLE_NO_VIEW | PRINT)))
    assert report.active_content == ("printed_only", "shown_on_hover")


@pytest.mark.parametrize("flags", [TOGGLE_NO_VIEW, PRINT | TOGGLE_NO_VIEW,
                                   HIDDEN | NO_VIEW | TOGGLE_NO_VIEW])
def test_one_always_shown_or_hidden_is_not(verifier, pki, flags):
    report = verifier.verify(_signed(pki, with_stamp(flags)))
    assert report.conclusion.passed and report.active_content == ()


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, hovering, tmp_path):
    body = kit.over_http(client, verifier, hovering)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["shown_on_hover"]
    for language in ("en", "es"):
        message = text("verify.active.shown_on_hover", language)
        assert message != "verify.active.shown_on_hover"
        _kind, _words, page = kit.over_the_page(client, verifier, hovering, language)
        assert message in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "al_pasar.pdf").write_bytes(hovering)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "al_pasar.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.shown_on_hover', language)}" in result.output


def test_the_openapi_document_lists_the_kind():
    from signing.verify.active_content import KINDS
    from signing.verify.openapi import SCHEMAS

    kinds = SCHEMAS["VerificationReport"]["properties"]["active_content"]["items"][
        "properties"]["kind"]["enum"]
    assert "shown_on_hover" in kinds and list(kinds) == list(KINDS)
