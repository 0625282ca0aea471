"""A file refused for signing is refused in the page's language, in plain words, with what to do.

Before: a file that was not a PDF was "not a PDF: it does not start with the %PDF- header"
(jargon, no next step); a damaged PDF was "El PDF está dañado y no se puede leer: " followed by
pyHanko's English exception text on the Spanish page; an empty file, a PDF without pages and
a certified PDF said what was wrong but not what to do."""

from __future__ import annotations

import re

import pytest

from signing.i18n import text
from signing.pdf_input import InvalidPdf, check_pdf

BROKEN = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF"
# What each refusal tells the citizen to do, in both languages.
NEXT_STEP = {"es": re.compile(r"\b(Elija|Guárdelo|Pida|pida|Pídale|vuelva a elegirlo)\b"),
             "en": re.compile(r"\b(Choose|Save|Ask|ask|choose it again)\b")}


def _refusal(data: bytes) -> InvalidPdf:
    with pytest.raises(InvalidPdf) as info:
        check_pdf(data, max_bytes=1 << 20)
    return info.value


@pytest.mark.parametrize("lang", ["es", "en"])
def test_citizen8_a_file_that_is_not_a_pdf_is_said_plainly(lang):
    said = _refusal(b"PK\x03\x04 a zip file").message(lang)
    assert "%PDF" not in said and "header" not in said and "cabecera" not in said
    assert NEXT_STEP[lang].search(said), said


def test_citizen8_a_damaged_pdf_gets_no_english_on_the_spanish_page():
    refusal = _refusal(BROKEN)
    assert refusal.key == "broken" and refusal.params["detail"]
    said = refusal.message("es")
    assert refusal.params["detail"] not in said
    assert NEXT_STEP["es"].search(said), said
    # The English sentence (the API's error_description) keeps the detail, and a next step.
    english = refusal.message("en")
    assert refusal.params["detail"] in english and NEXT_STEP["en"].search(english), english


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("key", ["empty", "no_pages", "locked"])
def test_citizen8_other_refusals_say_what_to_do(key, lang):
    said = text(f"documents.input.{key}", lang)
    assert NEXT_STEP[lang].search(said), said
