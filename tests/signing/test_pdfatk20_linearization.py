"""A copy of a page hidden in an object stream, read by viewers that rebuild the
cross-reference of a linearized file (pdfatk20).

When pdf.js finds no first-page cross-reference section where it looks in a linearized file
in force, it rebuilds the cross-reference (`XRef.indexObjects`): every `N G obj` in file
order (a later definition of the same generation replaces an earlier one), then the
cross-reference streams it found, in file order, each filling only the numbers still
missing. `signing.linearization` compared only the uncompressed objects with the generation
pyHanko's chain lists: a page pyHanko reads from an object stream ("Importe: 9999 EUR") was
never compared, though pdf.js takes an uncompressed copy of it written anywhere in the file,
or the copy in the object stream an older cross-reference stream (first in file order)
lists ("Importe: 100 EUR"). Each file was kept byte for byte, its signed form verified with
no word of it. Now both are rewritten, the signed one refused and reported
(`inconsistent_page_tree`); the same file without the copy is no finding.
"""

from __future__ import annotations

import zlib

import pytest

from signing.normalise import findings, normalise
from tests.signing.test_normalise import LIMIT, _reader
from tests.signing.test_pdfatk17_linearization import FONT, _page, _stream
from tests.signing.test_pdfatk19_linearization import PADDED

NINETY_NINE = _stream(b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET")
HUNDRED = _stream(b"BT /F1 18 Tf 72 760 Td (Importe: 100 EUR) Tj ET")


def _annotated_page(content: int) -> bytes:
    """The page drawing object `content`, its annotations in object 9 (an array: the
    signature's widget is added there, not to the page, which stays where it is)."""
    return _page(content)[:-2] + b"/Annots 9 0 R >>"


def _object_stream(number: int, body: bytes) -> bytes:
    head = b"%d 0 " % number
    return _stream(head + body, b" /Type /ObjStm /N 1 /First %d" % len(head))


def _xref_stream(entries: dict[int, tuple[int, int, int]], size: int, prev: int | None) -> bytes:
    """A cross-reference stream listing object 0 (free) and `entries` ({number: (type,
    location, second field)}), each a subsection of its own (`/Index`)."""
    listed = {0: (0, 0, 255), **entries}
    rows = b"".join(bytes([kind]) + location.to_bytes(4, "big") + bytes([second])
                    for _n, (kind, location, second) in sorted(listed.items()))
    index = b" ".join(b"%d 1" % n for n in sorted(listed))
    return _stream(zlib.compress(rows), b" /Type /XRef /Size %d /Index [%s] /W [1 4 1] "
                   b"/Root 2 0 R /Filter /FlateDecode%s"
                   % (size, index, b" /Prev %d" % prev if prev is not None else b""))


def compressed(copy: str | None, length: int | None = None) -> bytes:
    """A linearized file in force (/L its length, or `length`) with no first-page section
    where pdf.js looks (the dictionary's `endobj` past its 1024 bytes), whose tree's page
    (object 4) is in object stream 11, drawing object 6 ("Importe: 9999 EUR"); `copy`:
    "uncompressed", a copy of the page drawing object 7 ("Importe: 100 EUR") written as
    `4 0 obj`, listed by no section; "older_stream", that copy in object stream 10, listed by
    an earlier cross-reference stream (object 12, the /Prev of the last one, object 13)."""
    size = 0
    for _ in range(4):  # the offsets settle once every number has its width
        out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        offsets = {1: len(out)}
        out += (b"1 0 obj\n<< /Linearized 1 /L %010d /O 4 /E 0 /N 1 /T 0 /H [0 0]%s >>\n"
                b"endobj\n" % (size if length is None else length, PADDED))
        bodies = {2: b"<< /Type /Catalog /Pages 3 0 R >>",
                  3: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                  6: NINETY_NINE, 7: HUNDRED, 8: FONT, 9: b"[]"}
        for number, body in sorted(bodies.items()):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        if copy == "uncompressed":
            out += b"4 0 obj\n%s\nendobj\n" % _annotated_page(7)
        entries = {n: (1, offsets[n], 0) for n in offsets}
        prev = None
        if copy == "older_stream":
            offsets[10] = len(out)
            out += b"10 0 obj\n%s\nendobj\n" % _object_stream(4, _annotated_page(7))
            older = {**entries, 4: (2, 10, 0), 10: (1, offsets[10], 0)}
            prev = offsets[12] = len(out)
            older[12] = (1, prev, 0)
            out += b"12 0 obj\n%s\nendobj\n" % _xref_stream(older, 13, None)
        offsets[11] = len(out)
        out += b"11 0 obj\n%s\nendobj\n" % _object_stream(4, _annotated_page(6))
        main = {**entries, 4: (2, 11, 0), 11: (1, offsets[11], 0)}
        xref = main[13] = (1, len(out), 0)
        out += b"13 0 obj\n%s\nendobj\n" % _xref_stream(main, 14, prev)
        out += b"startxref\n%d\n%%%%EOF\n" % xref[1]
        size = len(out)
    return out


COPIES = ("uncompressed", "older_stream")


def _reads_9999(pdf: bytes) -> bool:
    reader = _reader(pdf)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    return b"9999 EUR" in page["/Contents"].data


@pytest.mark.parametrize("copy", COPIES)
def test_a_page_in_an_object_stream_rebuilt_otherwise_is_rewritten(copy):
    pdf = compressed(copy)
    assert _reads_9999(pdf)  # what pyHanko, the signature and the verification read
    assert findings(_reader(pdf)) == ["inconsistent_page_tree"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert "inconsistent_page_tree" in result.removed
    assert b"/Linearized" not in result.checked.data


def test_a_page_in_an_object_stream_rebuilt_alike_is_no_finding():
    """Control: no copy: rebuilt, pdf.js takes the page from the object stream pyHanko
    reads."""
    pdf = compressed(None)
    assert _reads_9999(pdf)
    assert findings(_reader(pdf)) == []
