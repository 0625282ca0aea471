"""Whether a PDF's linearization dictionary names other pages than its page tree (pdfatk17).

A linearized file ("fast web view", ISO 32000-2, Annex F) starts with a linearization
dictionary: /L the file's length, /O the object number of its first page's dictionary, /P
that page's index (0 if absent), /N the number of pages. Readers trust it as long as /L is
the file's length (an incremental update makes it stale):

- pdf.js (Firefox's viewer) shows object /O as page /P without looking at the page tree
  (`PDFDocument._getLinearizationPage`), and takes /N for the number of pages;
- PDFium (Chrome's viewer) puts object /O at page /P and takes /N for the page count
  (`CPDF_Document::LoadDoc`); poppler likewise, when the hint tables read well.

pyHanko, the normalisation, the signature and the verification read the page tree. A file
whose /O is a page dictionary the tree does not hold (or holds at another place), or whose
/N is not the tree's count, showed "Importe: 100 EUR" in Firefox's or Chrome's preview
while the tree, what every reader shows once the citizen's signature is appended (and /L
no longer matches), says "Importe: 9999 EUR". `misleads` finds it; `signing.normalise`
rewrites such a file (the dictionary, reachable from nothing, is not written again) or
refuses it when already signed, and the verification reports it (`inconsistent_page_tree`).
The dictionary is found as those readers' lexers find it (comments and NUL are white space,
`0obj` is two tokens) and read as they read it (a key written twice counts at its last
definition, and at its first for pyHanko and poppler: both readings are checked).

While the dictionary is in force, pdf.js and PDFium also start reading the cross-reference
at the first-page section, right after the dictionary's `endobj`, not at the file's last
`startxref` (pdf.js `PDFDocument.startXRef`): a section there that the chain pyHanko reads
never names lists objects (a page's content saying "100 EUR") that only those viewers see,
and one of an older revision hides the updates after it (one that makes the content "9999
EUR", and the signature). That is misleading too (pdfatk19); in a linearized file the last
`startxref` names the first-page section, read first by every reader. With no section there (or none in the 1024 bytes
pdf.js searches), they rebuild the cross-reference from the objects, the last definition of
a number (and generation) winning, then fill the numbers still missing from the
cross-reference streams found, first in file order first: misleading when that puts an object
elsewhere than pyHanko's chain does, an object pyHanko reads from an object stream too (an
uncompressed copy of it anywhere, or the copy an older stream lists, is what they show:
pdfatk20).
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from decimal import Decimal
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefEntry, XRefType, parse_xref_stream

from signing import page_tree
from signing.pdf_input import READ_ERRORS

HEADER_WINDOW = 1024  # readers look for the dictionary at the start of the file
# The first object after the header, "N G obj", as pdf.js's and PDFium's lexers read it (ISO
# 32000-1, 7.2.2 and 7.2.3): NUL is white space, a comment is white space wherever it stands
# (`1 %x\n0 obj %y\n<<`), `0obj` is two tokens, a number may be written `+1` or `1.0`.
# Possessive: a run of comments and spaces is matched once, without backtracking.
_SPACE = rb"(?:[\0\t\n\f\r ]|%[^\r\n]*+)"
_NUMBER = rb"([+-]?(?:\d++\.?\d*+|\.\d++))"
_FIRST_OBJECT = re.compile(rb"%s*+%s%s++%s%s*+obj%s*+(?=<<)"
                           % (_SPACE, _NUMBER, _SPACE, _NUMBER, _SPACE, _SPACE))
_OBJECT_HEADER = re.compile(rb"%s%s++%s%s*+obj%s*+(?=<<)" % (_NUMBER, _SPACE, _NUMBER, _SPACE, _SPACE))
_SPACES = re.compile(_SPACE + rb"*+")
# an object's header anywhere in the file, as a reader rebuilding the cross-reference finds it
_ANY_OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj"
                                rb"(?![A-Za-z0-9])")


def readings(reader: PdfFileReader, data: bytes) -> tuple[generic.DictionaryObject, ...]:
    """The linearization dictionary at the start of `data`, `reader`'s file (from its %PDF-
    header on, as readers parse it: not through the cross-reference table), as readers read
    it: the first object when it is a dictionary with a positive /Linearized number. A key
    written twice makes two readings: pdf.js and PDFium keep its last definition, pyHanko
    (where it does not refuse the file) and poppler its first. Empty when there is no such
    dictionary."""
    start = data.find(b"%PDF-", 0, HEADER_WINDOW)
    if start < 0:
        return ()
    found = _FIRST_OBJECT.match(data, start)
    if found is None:
        return ()
    number, generation = _whole(found[1]), _whole(found[2])
    if number is None or generation is None:  # pdf.js: Number.isInteger
        return ()
    stream = io.BytesIO(data)
    stream.seek(found.end())
    try:
        entries = _entries(stream, generic.Reference(number, generation, reader))
    except READ_ERRORS:  # what no reader can parse, none uses either
        return ()
    last = generic.DictionaryObject(dict(entries))
    first = generic.DictionaryObject(dict(reversed(entries)))
    return tuple(value for value in ((last, first) if first != last else (last,))
                 if (_number(value, "/Linearized") or 0) > 0)


def _entries(stream: io.BytesIO, container: generic.Reference) -> list[tuple[Any, Any]]:
    """Every key and value of the dictionary at `stream`'s position, in the order written,
    a key written twice as often as it is (pyHanko's `DictionaryObject.read_from_stream`
    refuses that in strict mode and keeps the first definition otherwise)."""
    if stream.read(2) != b"<<":
        raise PdfReadError("a dictionary begins with <<")
    entries = []
    while misc.read_non_whitespace(stream, seek_back=True) != b">":
        key = generic.read_object(stream, container)
        if not isinstance(key, generic.NameObject):
            raise PdfReadError("a dictionary's key is a name")
        misc.read_non_whitespace(stream, seek_back=True)
        entries.append((key, generic.read_object(stream, container)))
    return entries


def _whole(written: bytes) -> int | None:
    """A number of the object's header as pdf.js reads it, when whole (`1.0` is 1)."""
    number = Decimal(written.decode("ascii"))
    return int(number) if number == number.to_integral_value() else None


def _number(node: generic.DictionaryObject, key: str) -> Decimal | None:
    """`node[key]` as written when it is a finite number (an integer or a real), else None."""
    value = node.raw_get(key) if key in node else None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def _integer(node: generic.DictionaryObject, key: str) -> int | None:
    """`node[key]` when it is a whole number, written as an integer or as a real (`1145.0`:
    pdf.js reads both as the same number)."""
    number = _number(node, key)
    return int(number) if number is not None and number == number.to_integral_value() \
        else None


def misleads(reader: PdfFileReader, tree: page_tree.Survey) -> bool:
    """Whether `reader`'s file has a linearization dictionary in force (its /L is the file's
    length) whose first page (/O at index /P) or page count (/N) differs from the pages of
    `tree` (its page tree, `page_tree.survey`)."""
    data = _bytes_of(reader)
    pages = [entry.written for entry in tree.nodes if entry.page]
    in_force = [found for found in readings(reader, data) if _integer(found, "/L") == len(data)]
    if not in_force:
        return False
    if any(_names_other_pages(found, pages) for found in in_force):
        return True
    first = _first_section(reader, data)
    if first is None:  # they rebuild the cross-reference from the objects
        return _rebuilt_otherwise(reader, data)
    return first != _newest_section(reader, data)


def _rebuilt_otherwise(reader: PdfFileReader, data: bytes) -> bool:
    """Whether the cross-reference pdf.js rebuilds from the objects (`_rebuilt`) puts an
    object elsewhere than the chain pyHanko reads (`_listed`): a copy of a page's content
    written after the listed one, listed by no section, or a copy of a page pyHanko reads
    from an object stream (uncompressed anywhere in the file, or in the object stream an
    older cross-reference stream lists), is what those viewers show. Cross-reference
    streams, read by those viewers as sections rather than shown, are not compared."""
    rebuilt, sections = _rebuilt(reader, data)
    for number, (generation, location) in rebuilt.items():
        if location is None or location in sections:
            continue
        if _listed(reader, number) != (generation, location):
            return True
    return False


def _rebuilt(reader: PdfFileReader, data: bytes
             ) -> tuple[dict[int, tuple[int, Any]], set[int]]:
    """The cross-reference as pdf.js rebuilds it (`XRef.indexObjects`): every object's
    header in file order, a later one replacing an earlier one of the same number and
    generation (one of another generation does not); then the cross-reference streams found
    (an object whose body has `/XRef` followed by a delimiter), in file order, each with its
    /Prev chain, filling only the numbers still missing (a free entry too). {number:
    (generation, offset, or `ObjStreamRef` with generation 0, or None when free)}, and the
    offsets of those cross-reference streams."""
    entries: dict[int, tuple[int, Any]] = {}
    sections: list[int] = []
    # Where each `endobj` and `/XRef` stands, found once: a search from every header to the next
    # `endobj` took time quadratic in the file (a hostile upload of many headers and no `endobj`:
    # minutes of CPU for a few hundred kilobytes).
    ends = [found.start() for found in re.finditer(rb"endobj", data)]
    tags = [found.start() for found in re.finditer(rb"/XRef", data)]
    for header in _ANY_OBJECT_HEADER.finditer(data):
        number, generation = int(header[1]), int(header[2])
        if number not in entries or entries[number][0] == generation:
            entries[number] = (generation, header.start())
        after = header.end()
        at = bisect_left(ends, after)
        end = ends[at] if at < len(ends) else len(data)
        at = bisect_left(tags, after)
        tag = tags[at] if at < len(tags) and tags[at] + 5 <= end else -1
        if tag >= 0 and (tag + 5 >= len(data) or data[tag + 5] < 64):
            sections.append(header.start())
    read: set[int] = set()  # a section another one's /Prev chain reached already adds nothing
    for start in sections:
        for entry in _section_chain(reader, data, start, read):
            if entry.idnum not in entries:
                entries[entry.idnum] = (
                    0 if entry.xref_type == XRefType.IN_OBJ_STREAM else entry.generation,
                    None if entry.xref_type == XRefType.FREE else entry.location)
    return entries, set(sections)


def _section_chain(reader: PdfFileReader, data: bytes, start: int, seen: set[int]) -> list[XRefEntry]:
    """The entries of the cross-reference stream at `start` and of the streams its /Prev
    chain leads to, in that order, but for those in `seen` (read already: each section is read
    once per file, so many sections leading into one long chain cost that chain once); a part
    that cannot be read ends the chain, as it ends pdf.js's."""
    found: list[XRefEntry] = []
    at: Any = start
    while isinstance(at, int) and 0 <= at < len(data) and at not in seen:
        seen.add(at)
        header = _OBJECT_HEADER.match(data, at)
        if header is None:
            break
        stream = io.BytesIO(data)
        stream.seek(header.end())
        try:
            section = generic.read_object(stream, generic.Reference(0, 0, reader))
            if not isinstance(section, generic.StreamObject):
                break
            found.extend(parse_xref_stream(section, strict=False))
            at = section.get("/Prev")
        except READ_ERRORS:
            break
    return found


def _listed(reader: PdfFileReader, number: int) -> tuple[int, Any] | None:
    """Where the chain pyHanko reads puts object `number` in the latest revision: (its
    generation, its offset or `ObjStreamRef` with generation 0), None when free or unlisted
    (the newest section naming the number decides)."""
    xrefs = reader.xrefs
    for revision in reversed(range(xrefs.total_revisions)):
        section = xrefs.get_xref_data(revision)
        if number in section.xrefs_in_objstm:
            return 0, section.xrefs_in_objstm[number]
        if number in section.standard_xrefs:
            return section.standard_xrefs[number]
        if number in section.freed:
            return None
    return None


def _first_section(reader: PdfFileReader, data: bytes) -> int | None:
    """Where pdf.js and PDFium start reading the cross-reference of a linearized file: the
    first-page section, just after the dictionary's `endobj` (pdf.js `PDFDocument.startXRef`
    looks for it in the 1024 bytes from the header; PDFium `CPDF_LinearizedHeader`), white
    space and comments skipped; None when no section (a table or a cross-reference stream)
    stands there: they then rebuild the cross-reference from the objects."""
    start = data.find(b"%PDF-", 0, HEADER_WINDOW)
    end = data.find(b"endobj", start, start + HEADER_WINDOW) if start >= 0 else -1
    if end < 0:
        return None
    at = _skipped(data, end + 6)
    if data.startswith(b"xref", at):
        return at
    header = _OBJECT_HEADER.match(data, at)
    if header is None:
        return None
    stream = io.BytesIO(data)
    stream.seek(header.end())
    try:
        value = generic.read_object(stream, generic.Reference(0, 0, reader))
    except READ_ERRORS:
        return None
    return at if isinstance(value, generic.StreamObject) and \
        value.raw_get("/Type") == "/XRef" else None


def _newest_section(reader: PdfFileReader, data: bytes) -> int:
    """Where the cross-reference section pyHanko reads first (named by the file's last
    `startxref`: the latest revision's) starts, white space and comments skipped. Starting
    from any other section, a reader sees another revision than the latest (an older one,
    without the updates after it) or sections pyHanko never reads."""
    xrefs = reader.xrefs
    return _skipped(data, xrefs.get_xref_container_info(xrefs.total_revisions - 1)
                    .declared_startxref)


def _skipped(data: bytes, at: int) -> int:
    """`at`, past the white space and comments there."""
    found = _SPACES.match(data, at)
    return found.end() if found else at


def _names_other_pages(found: generic.DictionaryObject, pages: list[Any]) -> bool:
    first, index, count = _integer(found, "/O"), _integer(found, "/P") or 0, \
        _integer(found, "/N")
    if count != len(pages) or not 0 <= index < len(pages):
        return True
    return not _is_object(pages[index], first)


def _is_object(written: Any, number: int | None) -> bool:
    """Whether the page written as `written` is object `number` (generation 0, as read)."""
    return isinstance(written, generic.IndirectObject) and written.idnum == number \
        and written.generation == 0


def _bytes_of(reader: PdfFileReader) -> bytes:
    stream = reader.stream
    stream.seek(0)
    return bytes(stream.read())
