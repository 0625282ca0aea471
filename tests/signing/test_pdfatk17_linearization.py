"""A linearization dictionary that names another first page than the page tree (pdfatk17).

A linearized file starts with a dictionary saying its length (/L), its first page's object
(/O) and its number of pages (/N). While /L is the file's length, pdf.js (Firefox) shows
object /O as the first page and PDFium (Chrome) puts it there too, without the page tree;
pyHanko, the normalisation and every reader once the file has grown read the tree. A file to
sign whose /O is a page the tree does not hold ("Importe: 100 EUR") while the tree's page says
"Importe: 9999 EUR" had nothing the normalisation looked for: it was kept byte for byte, the
citizen's browser previewed 100 EUR, and the signature appended to it (/L no longer the
length) made every reader show 9999 EUR. Now such a file is rewritten from its page tree
(`inconsistent_page_tree`: the dictionary is not written again), a signed one is refused, and
a linearized file that agrees with its tree, or whose /L is stale, stays as it is.
"""

from __future__ import annotations

import pytest

from signing.normalise import findings, normalise, require_normalised
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _reader
from tests.signing.verify import samples

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(content: int) -> bytes:
    return (b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font "
            b"<< /F1 8 0 R >> >> /Contents %d 0 R >>" % content)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def linearized(first: int = 5, *, count: int = 1, length: int | None = None,
               reals: bool = False, opening: bytes = b"1 0 obj\n", entries: bytes = b"",
               first_section: str | None = None, unlisted_copy: bool = False) -> bytes:
    """One page in the page tree (object 4, "Importe: 9999 EUR") and a page the tree does not
    hold (object 5, "Importe: 100 EUR"); the linearization dictionary (object 1) names object
    `first` as the first page and `count` pages, its /L the file's length (or `length`);
    `reals`: /Linearized, /L, /O and /N written as reals (`1.0`); `opening`: how object 1 is
    opened before its `<<`; `entries`: more entries written at the end of the dictionary;
    `first_section`: a first-page cross-reference section right after the dictionary (where
    pdf.js and PDFium start reading a linearized file) listing object 6, the tree's page's
    content, as a copy saying "Importe: 100 EUR" written after it, its /Prev the main
    section: "read" when the file's `startxref` names it too (as in a linearized file),
    "hidden" when it names the main section (pyHanko never reads the first-page one);
    `unlisted_copy`: such a copy written again after the last object, listed by no section
    (what a reader that rebuilds the cross-reference takes: the last definition)."""
    point = b".0" if reals else b""
    objects = {
        2: b"<< /Type /Catalog /Pages 3 0 R >>",
        3: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        4: _page(6), 5: _page(7),
        6: _stream(b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"),
        7: _stream(b"BT /F1 18 Tf 72 760 Td (Importe: 100 EUR) Tj ET"),
        8: FONT,
        9: _stream(b"\0" * 64, b" /S 36"),  # where the hint tables would be
    }
    size = hints = hints_length = end_first = main_entries = xref = 0
    for _ in range(4):  # the offsets settle once every number has its width
        out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        offsets = {1: len(out)}
        out += (b"%s<< /Linearized 1%s /L %010d%s /O %d%s /E %010d /N %d%s /T %010d "
                b"/H [%010d %010d]%s >>\nendobj\n"
                % (opening, point, size if length is None else length, point, first, point,
                   end_first, count, point, main_entries, hints, hints_length, entries))
        top = len(out)
        if first_section is not None:
            section = (b"xref\n0 1\n0000000000 65535 f \n6 1\n%010d 00000 n \ntrailer\n"
                       b"<< /Size 10 /Root 2 0 R /Prev %010d >>\n")
            out += section % (top + len(section % (0, 0)), xref)
            out += b"6 0 obj\n%s\nendobj\n" % _stream(
                b"BT /F1 18 Tf 72 760 Td (Importe: 100 EUR) Tj ET")
        for number, body in sorted(objects.items()):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        hints, hints_length = offsets[9], len(out) - offsets[9]
        end_first = offsets[9]
        if unlisted_copy:
            out += b"6 0 obj\n%s\nendobj\n" % _stream(
                b"BT /F1 18 Tf 72 760 Td (Importe: 100 EUR) Tj ET")
        xref = len(out)
        out += b"xref\n0 10\n0000000000 65535 f \n"
        main_entries = len(out) - 20
        out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, 10))
        out += b"trailer\n<< /Size 10 /Root 2 0 R >>\nstartxref\n%d\n%%%%EOF\n" \
            % (top if first_section == "read" else xref)
        size = len(out)
    return out


MISLEADING = {
    "another_first_page": lambda: linearized(5),
    "written_as_reals": lambda: linearized(5, reals=True),  # pdf.js reads 1145.0 as 1145
    "fewer_pages": lambda: linearized(4, count=0),
    "more_pages": lambda: linearized(4, count=2),
}


@pytest.mark.parametrize("kind", MISLEADING)
def test_a_linearization_naming_other_pages_is_rewritten_from_the_page_tree(kind):
    pdf = MISLEADING[kind]()
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("inconsistent_page_tree",)
    assert b"/Linearized" not in result.checked.data  # no reader takes a first page from it
    assert b"9999 EUR" in result.checked.data and b"(Importe: 100 EUR)" not in result.checked.data
    assert result.checked.pages == 1
    with pytest.raises(InvalidPdf) as still:
        require_normalised(pdf)
    assert still.value.key == "not_normalised"


def test_a_linearization_that_agrees_with_the_tree_is_kept_byte_for_byte():
    pdf = linearized(4)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_stale_linearization_is_kept_byte_for_byte():
    """/L other than the file's length: no reader uses the dictionary (an updated file)."""
    pdf = linearized(5, length=123)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def signed_in_force(pki, first: int = 5, stamper=None, **shape) -> bytes:
    """`linearized(first, **shape)` signed, its /L written as the signed file's length: in
    force in the signed file (the signer knows the length its signature gives the file)."""
    signer = samples.signer_for(pki.signer, pki)
    signed = samples.sign(linearized(first, **shape), signer, stamper=stamper)
    for _ in range(50):  # an ECDSA signature's length varies by a few bytes
        length = len(signed)
        signed = samples.sign(linearized(first, length=length, **shape), signer,
                              stamper=stamper)
        if len(signed) == length:
            break
    assert b"/L %010d" % len(signed) in signed
    return signed


def test_a_signed_file_with_one_in_force_is_refused():
    signed = signed_in_force(samples.build_pki())
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(inconsistent_page_tree)" in refused.value.message("en")
