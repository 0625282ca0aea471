"""A linearization dictionary written the way readers read it, not the way a regex expects
(pdfatk19).

pdf.js (Firefox) and PDFium (Chrome) find the linearization dictionary with their own lexer:
a comment is white space anywhere between `1 0 obj` and `<<` or between its numbers, NUL is
white space, `0obj` is two tokens, and a key written twice counts at its last definition.
`signing.linearization` matched the opening with a regex that took none of these, and read
the dictionary with pyHanko's strict parser, which refuses a key written twice: each of these
files, whose /O is a page the tree does not hold ("Importe: 100 EUR" over the tree's "9999
EUR"), was taken for one without a linearization dictionary and kept byte for byte, while
Firefox and Chrome preview the page /O. Now they are rewritten from the page tree like the
plain one (tests/signing/test_pdfatk17_linearization.py).
"""

from __future__ import annotations

import pytest

from signing.normalise import findings, normalise
from tests.signing.test_normalise import LIMIT, _reader
from tests.signing.test_pdfatk17_linearization import linearized

# how readers' lexers open object 1 (ISO 32000-1, 7.2.2 and 7.2.3: NUL is white space, a
# comment is white space, `obj` a token of its own)
OPENINGS = {
    "comment_before_the_dictionary": b"1 0 obj %comment\n",
    "comment_between_the_numbers": b"1 %comment\n0 obj\n",
    "nul_as_white_space": b"1\x000\x00obj\x00",
    "obj_next_to_the_generation": b"1 0obj\n",
}


@pytest.mark.parametrize("kind", OPENINGS)
def test_a_misleading_linearization_opened_otherwise_is_rewritten(kind):
    pdf = linearized(5, opening=OPENINGS[kind])
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("inconsistent_page_tree",)
    assert b"/Linearized" not in result.checked.data


def test_a_first_page_written_twice_counts_at_its_last_definition():
    """/O 4 (the tree's page) then /O 5: pdf.js and PDFium keep the last, page 5."""
    pdf = linearized(4, entries=b" /O 5")
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    assert normalise(pdf, max_bytes=LIMIT).removed == ("inconsistent_page_tree",)


def test_a_key_written_twice_alike_is_kept_byte_for_byte():
    pdf = linearized(4, entries=b" /O 4")
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_first_page_section_pyhanko_never_reads_is_rewritten():
    """The first-page cross-reference section right after the dictionary, where pdf.js and
    PDFium start reading a linearized file in force, lists the tree's page's content as a
    copy saying "Importe: 100 EUR"; the file's `startxref` names the main section, so pyHanko
    (and the signature, and the verification) read "9999 EUR". /O and /N agree with the tree:
    nothing else tells."""
    pdf = linearized(4, first_section="hidden")
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("inconsistent_page_tree",)
    assert b"/Linearized" not in result.checked.data
    assert b"(Importe: 100 EUR)" not in result.checked.data


def test_a_first_page_section_every_reader_reads_is_no_finding():
    """Control: the file's `startxref` names the first-page section, as in a linearized
    file: pyHanko reads it too and shows what pdf.js shows (its two sections are two
    revisions to pyHanko, merged as any file's are)."""
    pdf = linearized(4, first_section="read")
    assert findings(_reader(pdf)) == []
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("earlier_revisions",)
    assert b"(Importe: 100 EUR)" in result.checked.data


PADDED = b" /Padding (" + b"x" * 1100 + b")"  # `endobj` beyond the 1024 bytes pdf.js looks in


def test_an_unlisted_copy_read_by_viewers_that_rebuild_is_rewritten():
    """No first-page section where pdf.js looks (the dictionary's `endobj` is past the 1024
    bytes it searches): it rebuilds the cross-reference from the objects in file order, the
    last definition of a number winning (`XRef.indexObjects`), and takes the copy of the
    page's content written after the listed one ("Importe: 100 EUR"); pyHanko reads "9999
    EUR" where the table says."""
    pdf = linearized(4, entries=PADDED, unlisted_copy=True)
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    assert normalise(pdf, max_bytes=LIMIT).removed == ("inconsistent_page_tree",)


def test_a_rebuilt_cross_reference_that_agrees_is_no_finding():
    """Control: the same file without the copy: rebuilt, the cross-reference is the same."""
    pdf = linearized(4, entries=PADDED)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf
