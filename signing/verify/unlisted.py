"""Bytes after a signature that no revision accounts for (ISO 32000-1, 7.5.6).

An incremental update is a body of new objects, a cross-reference section that lists each of
them (a table and its trailer, or a cross-reference stream), and `startxref ... %%EOF`.
Readers that follow the cross-reference sections (pyHanko, hence the difference analysis)
never see an object the update defines but does not list, nor a second table and trailer the
`startxref` does not point to; readers that rebuild the cross-reference from the objects they
find (a viewer "repairing" a file whose offsets are a little off, or that prefers the last
definition of a number) do. An update made of such bytes passed as "validation data only"
while its hidden object redefined the page's content (an incremental saving attack that only
the signature check's reader does not see; Mladenov et al., CCS 2019).

`unexplained` reads every byte after a signed revision: each must belong to an object listed
at its offset by a cross-reference section, to a section itself (with its trailer), to a
`startxref`/`%%EOF` line, or be white space or a comment. An object stream (7.5.7) of an
update is read too: each compressed object in it must be listed by a section as the object
at its index in that stream (a rebuilding reader takes every object of every object stream it
finds, whatever the cross-reference says), or be the very object the sections resolve for
its number (an unlisted copy changes nothing shown); otherwise the object stream's offset is
unexplained. The object streams are decoded within `object_streams.MAX_INFLATION` and their
header entries counted against the verification's budget, as pyHanko's own reads are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import (
    ObjStreamRef,
    XRefSectionMetaInfo,
    XRefSectionType,
    read_object_header,
)

from signing import object_streams, pdf_parsing
from signing.verify.xref_sections import entries

_STREAMS = "_cedula_update_object_streams"
_TABLES = (XRefSectionType.STANDARD, XRefSectionType.HYBRID_MAIN)
_TRAILER = re.compile(rb"\s*(?:trailer)?\s*(?=<<)")  # pyHanko may have read the keyword
# what may stand between the parts of revisions: white space, comments, startxref lines
_FILLER = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*|startxref[\x00\t\n\x0c\r ]+\d+)*")


def _sections(reader: PdfFileReader) -> Iterator[XRefSectionMetaInfo]:
    for section in reader.xrefs._xref_sections:  # pyHanko has no public list of sections
        yield section.meta_info
        if section.xref_data.hybrid is not None:
            yield section.xref_data.hybrid.meta_info


def _object_end(reader: PdfFileReader, offset: int, number: int) -> int | None:
    """Where the object listed at `offset` (as `number`) ends, just after `endobj`; None if no
    such object starts there. An object stream read there is kept (`_STREAMS`: offset -> number, stream) for
    `_hidden_compressed`."""
    stream = reader.stream
    stream.seek(offset)
    try:
        found, generation = read_object_header(stream, strict=True)
        if found != number:
            return None
        obj = generic.read_object(stream, generic.Reference(found, generation, reader))
        misc.read_non_whitespace(stream, seek_back=True)
        if stream.read(6) != b"endobj":
            return None
    except Exception:  # anything unreadable is not explained
        return None
    if isinstance(obj, generic.StreamObject) and obj.get("/Type") == "/ObjStm":
        reader.__dict__.setdefault(_STREAMS, {})[offset] = (number, obj)
    return int(stream.tell())


def _trailer_end(reader: PdfFileReader, data: bytes, at: int) -> int:
    """The end of the trailer dictionary after a table that ends at `at` (`at` if none)."""
    match = _TRAILER.match(data, at)
    if match is None:
        return at
    stream = reader.stream
    stream.seek(match.end())
    try:
        generic.DictionaryObject.read_from_stream(stream, generic.TrailerReference(reader))
    except Exception:
        return at
    return int(stream.tell())


def _spans(reader: PdfFileReader, data: bytes,
           start: int) -> tuple[list[tuple[int, int]], set[tuple[int, int, int]]]:
    """The byte spans from `start` on that the cross-reference sections account for, and the
    compressed objects they list as (object stream, index, object number)."""
    spans: list[tuple[int, int]] = []
    compressed: set[tuple[int, int, int]] = set()
    read: set[int] = set()  # each object is read once, however many sections list it
    for info in _sections(reader):
        if info.start_location < start:
            continue
        if info.xref_section_type in _TABLES:  # pyHanko's start is past the `xref` keyword
            keyword = data.rfind(b"xref", max(0, info.start_location - 8), info.start_location)
            begin = keyword if keyword >= 0 else info.start_location
            spans.append((begin, _trailer_end(reader, data, info.end_location)))
        else:
            spans.append((info.start_location, info.end_location))
        if info.xref_section_type is XRefSectionType.HYBRID_STREAM:
            continue
        for entry in list(entries(reader, info)):  # read whole before seeking elsewhere
            location = entry.location
            if isinstance(location, ObjStreamRef):
                compressed.add((location.obj_stream_id, location.ix_in_stream, entry.idnum))
            if isinstance(location, int) and location >= start and entry.idnum and \
                    location not in read:
                end = _object_end(reader, location, entry.idnum)
                if end is not None:
                    read.add(location)
                    spans.append((location, end))
    return sorted(spans), compressed


def _hides(reader: PdfFileReader, number: int, stream: generic.StreamObject,
           listed: set[tuple[int, int, int]]) -> bool:
    """Whether the object stream `number` holds a compressed object that no section lists at
    its index and that differs from what the sections resolve for its number (or cannot be
    read: anything unreadable is not explained)."""
    try:
        objects, data, corrupted = object_streams.listing(stream, reader)
        if corrupted:
            return True
        first = int(stream["/First"])
        for index, (idnum, offset) in enumerate(objects):
            if (number, index, idnum) in listed:
                continue
            found = BytesIO(data)
            found.seek(first + offset)
            hidden = generic.read_object(found, generic.Reference(idnum, 0, reader))
            if hidden != generic.Reference(idnum, 0, reader).get_object():
                return True
    except pdf_parsing.BudgetExceeded:
        raise
    except Exception:
        return True
    return False


def _hidden_compressed(reader: PdfFileReader, start: int,
                       listed: set[tuple[int, int, int]]) -> int | None:
    """The offset of the first object stream at or after `start` that `_hides` an object."""
    streams: dict[int, tuple[int, generic.StreamObject]] = reader.__dict__.get(_STREAMS, {})
    for offset in sorted(streams):
        number, stream = streams[offset]
        if offset >= start and _hides(reader, number, stream, listed):
            return offset
    return None


def unexplained(reader: PdfFileReader, data: bytes, start: int) -> int | None:
    """The offset of the first byte at or after `start` that no revision accounts for, or
    None when every byte does."""
    spans, listed = _spans(reader, data, start)
    at = start
    for begin, end in spans:
        if begin > at:
            filler = _FILLER.match(data, at, begin)
            stop = filler.end() if filler is not None else at
            if stop < begin:
                return stop
        at = max(at, end)
    filler = _FILLER.match(data, at)
    stop = filler.end() if filler is not None else at
    if stop < len(data):
        return stop
    return _hidden_compressed(reader, start, listed)
