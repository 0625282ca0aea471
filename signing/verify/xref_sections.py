"""Cross-reference sections that readers would read differently (ISO 32000-1, 7.5.4, 7.5.8).

Each cross-reference section (a table, or a cross-reference stream) gives one entry per
object number. A section that lists a number twice is ambiguous, and readers disagree on
which entry counts: pyHanko keeps the last, poppler (pdfsig, Evince) the first. An update that
lists a page's content stream twice, forged text first and the signed object last, passed the
difference analysis while viewers showed the forged text (a parser-differential shadow
attack). Such a file is refused as damaged before any signature is judged.

Before a reader builds its tables, `declared_objects` reads what the file's trailers and
cross-reference streams declare (/Size, /Index): a cross-reference stream may give millions
of entries in no bytes at all (/W [0 0 0], 7.5.8.2), and a reader builds them all, before the
verification's time budget starts. More objects than `MAX_OBJECTS_PER_BYTE` per byte of the
file is refused.
(How many sections a reader follows is capped with the other parser patches:
`signing.pdf_parsing.MAX_SECTIONS`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import (
    XRefEntry,
    XRefSectionMetaInfo,
    XRefSectionType,
    parse_xref_stream,
    parse_xref_table,
    read_object_header,
)

from signing.name_spellings import spelled

_TABLES = (XRefSectionType.STANDARD, XRefSectionType.HYBRID_MAIN)
# An object takes bytes: a 20-byte table entry, or a few bytes of an object stream and of a
# cross-reference stream even compressed; a generous bound, with room for small files.
MAX_OBJECTS_PER_BYTE = 1 / 8
MIN_OBJECTS = 1024
_COMMENT = re.compile(rb"%[^\r\n]*")  # ISO 32000-1, 7.2.3: a comment is white space
_INTEGER = re.compile(rb"[+-]?\d{1,30}")


def _integers(raw: bytes) -> list[int]:
    return [int(n) for n in _INTEGER.findall(_COMMENT.sub(b" ", raw))]


def _windows(data: bytes, key: bytes, stop: bytes | None, width: int) -> Iterator[bytes]:
    """The bytes after each `key` name in `data`, up to `stop` or `width` bytes, and never
    past the next `key`: the windows do not overlap, so the scan is linear in the file."""
    starts = [m.end() for m in re.finditer(b"/" + spelled(key[1:]) + rb"(?![A-Za-z0-9#])", data)]
    for index, start in enumerate(starts):
        limit = min(starts[index + 1] if index + 1 < len(starts) else len(data), start + width)
        close = data.find(stop, start, limit) if stop else -1
        yield data[start:close if close >= 0 else limit]


def declared_objects(data: bytes) -> int:
    """The most objects any trailer (/Size) or cross-reference stream (/Index) of `data`
    declares, read from the raw bytes (no parsing; comments are skipped, so a count cannot
    hide behind one)."""
    most = 0
    for window in _windows(data, b"/Size", None, 256):
        numbers = _integers(window)
        most = max(most, numbers[0] if numbers else 0)
    for window in _windows(data, b"/Index", b"]", len(data)):
        most = max(most, sum(_integers(window)[1::2]))
    return most


def too_many_objects(data: bytes) -> int | None:
    """The number of objects `data` declares if a file of its size cannot hold them, else None."""
    declared = declared_objects(data)
    return declared if declared > MIN_OBJECTS + len(data) * MAX_OBJECTS_PER_BYTE else None


def entries(reader: PdfFileReader, info: XRefSectionMetaInfo) -> Iterator[XRefEntry]:
    """The entries of one cross-reference section, read again from the file."""
    stream = reader.stream
    stream.seek(info.start_location)
    if info.xref_section_type in _TABLES:
        yield from parse_xref_table(stream, strict=True)
        return
    number, generation = read_object_header(stream, strict=True)
    xref = generic.StreamObject.read_from_stream(
        stream, generic.Reference(number, generation, pdf=reader))
    assert isinstance(xref, generic.StreamObject)
    yield from parse_xref_stream(xref, strict=True)


def listed_twice(reader: PdfFileReader) -> tuple[int, int] | None:
    """(revision, object number) of the first object a cross-reference section lists more
    than once, or None."""
    for revision in range(reader.xrefs.total_revisions):
        seen: set[int] = set()
        for entry in entries(reader, reader.xrefs.get_xref_container_info(revision)):
            if entry.idnum in seen and entry.idnum != 0:
                return revision, entry.idnum
            seen.add(entry.idnum)
    return None

