"""A signed PDF that asks to be opened as a portfolio (pdfatk18).

ISO 32000-2, 12.3.5: a catalog's `/Collection` makes the file a portfolio; a reader that
supports them (Acrobat) opens its portfolio view, listing the files attached and showing the
one `/Collection /D` names, not the signed pages, which are only the cover sheet for readers
that do not. A file prepared before signing may be such a portfolio: the signature covers the
cover sheet ("Importe: 100 EUR") the verification page shows, while Acrobat shows something
else first. The verdict stands (the signed bytes are intact) but the report said nothing of
the portfolio itself (only, when files are attached, `embedded_files`): now `active_content`
names it (`portfolio`) in the API, on the page and in `cedula verify`; normalisation already
removed it from files to sign (`portfolio`).
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


def portfolio() -> bytes:
    """The blank page ("100 EUR") as the cover sheet of a portfolio shown in details view."""
    def change(writer, root):
        root[N("/Collection")] = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Collection"), N("/View"): N("/D")}))
    return _update(samples.blank_pdf(), change)


@pytest.fixture(scope="module")
def signed_portfolio(pki) -> bytes:
    return samples.sign(portfolio(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


def test_a_signed_portfolio_is_told(verifier, signed_portfolio):
    report = verifier.verify(signed_portfolio)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("portfolio",)


def test_the_api_the_page_and_the_command_say_so(client, app, verifier, signed_portfolio,
                                                 tmp_path):
    body = kit.over_http(client, verifier, signed_portfolio)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == ["portfolio"]
    for language in ("en", "es"):
        message = text("verify.active.portfolio", language)
        assert message != "verify.active.portfolio"
        _kind, _words, page = kit.over_the_page(client, verifier, signed_portfolio, language)
        assert message in html.unescape(page)
    from idp.cli import Context, cli
    from infra.config import get_settings

    (tmp_path / "cartera.pdf").write_bytes(signed_portfolio)
    for language in ("en", "es"):  # its own trust store: the test signer is unknown to it
        result = CliRunner().invoke(cli, ["verify", "--lang", language,
                                          str(tmp_path / "cartera.pdf")],
                                    obj=Context(settings=get_settings(app)))
        assert result.exit_code == 2, result.output
        assert f"WARNING: {text('verify.active.portfolio', language)}" in result.output


def test_the_openapi_document_lists_the_kind():
    from signing.verify.active_content import KINDS
    from signing.verify.openapi import SCHEMAS

    kinds = SCHEMAS["VerificationReport"]["properties"]["active_content"]["items"][
        "properties"]["kind"]["enum"]
    assert "portfolio" in kinds and list(kinds) == list(KINDS)
