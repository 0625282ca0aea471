"""Cross-reference sections that readers would read differently (ISO 32000-1, 7.5.4, 7.5.8).

Each cross-reference section (a table, or a cross-reference stream) gives one entry per
object number. A section that lists a number twice is ambiguous, and readers disagree on
which entry counts: pyHanko keeps the last, poppler (pdfsig, Evince) the first. An update that
lists a page's content stream twice, forged text first and the signed object last, passed the
difference analysis while viewers showed the forged text (a parser-differential shadow
attack). Such a file is refused as damaged before any signature is judged.
"""

from __future__ import annotations

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

_TABLES = (XRefSectionType.STANDARD, XRefSectionType.HYBRID_MAIN)


def _entries(reader: PdfFileReader, info: XRefSectionMetaInfo) -> Iterator[XRefEntry]:
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
        for entry in _entries(reader, reader.xrefs.get_xref_container_info(revision)):
            if entry.idnum in seen and entry.idnum != 0:
                return revision, entry.idnum
            seen.add(entry.idnum)
    return None
