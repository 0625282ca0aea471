"""The verdict names what changed after signing (citizen13).

A signed file changed afterwards (a form field filled in over the signed page, a page's
content redefined) was said, in the box a citizen reads first, only as "Cannot tell: for
example, it has no electronic signature, it was signed by an authority this service does not
know, or information ... is missing" or "changed after it was signed, or its signature is
false or damaged": the change itself was named only inside the folded verification details,
which a citizen reading "read the details below" had to find and open. Now the verdict's box
says what was found after signing, in the words of the details, in Spanish and English; a
document unchanged since signing has no such line.
"""

from __future__ import annotations

import html
import re

import pytest

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries


def _verdict_box(page: str) -> str:
    """The words of the verdict's box (`verify/_verdict.html`), tags removed."""
    start = page.index('id="verdict"')
    box = page[start:page.index("</div>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", box)))


CHANGED = [("signed_with_field", forgeries.shadow_hide_form, "indeterminate", "form_filling",
            "«Nota»"),
           ("signed", forgeries.incremental_saving, "not_valid", "other", "")]


@pytest.mark.parametrize(("fixture", "attack", "verdict", "level", "fields"), CHANGED,
                         ids=[c[1].__name__ for c in CHANGED])
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_verdict_says_what_changed_after_signing(request, client, verifier, fixture, attack,
                                                     verdict, level, fields, language):
    pdf = attack(request.getfixturevalue(fixture))
    kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
    assert kind == verdict
    box = _verdict_box(page)
    found = text(f"verify.modifications.{level}", language, fields=fields)
    assert found in box
    assert f"{text('verify.verdict.found', language)} {found}" in box


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unchanged_document_names_no_change(client, verifier, signed, language):
    kind, _words, page = kit.over_the_page(client, verifier, signed, language)
    assert kind == "valid"
    assert 'id="changes-found"' not in page
