"""pyHanko's reader of objects in object streams, with each stream's header read once.

An object stream (ISO 32000-1, 7.5.7) starts with a header of N pairs "object number,
offset". pyHanko (`PdfFileReader._get_object_from_stream`) reads that header from its start
for every object it takes out of the stream, and never caches an object of an earlier
revision (which the difference analysis reads for every pair of revisions it compares): a
stream of N objects costs N²/2 header entries. A legitimate file of 300 pages with object
streams and four signatures spent 20 s in it (the verifier's whole time budget); a crafted
one of a few kilobytes, hours, with few objects actually parsed for the budget to count.

This reads each stream's header at most once per reader, lazily (as far as the object asked
for), counts every header entry read (`install`: `pdf_parsing` counts them against the
active parse budget like objects), and otherwise gives what pyHanko gives: the same
objects, and in strict mode the same errors (a corrupted header, an object at the wrong
index, not found, a stream or reference inside the stream); in non-strict mode null for the
first two and for an object not found.

Object streams are also where a decompression bomb is cheapest: a few hundred bytes of
Flate inflate to a megabyte of "0 0 0 ...", half a million objects for the parser (~20 µs
each). Padded with incompressible bytes to 400 KB, such a file stayed within its object
allowance (`pdf_parsing.object_allowance`, which grows with the file) for 10 to 20 s of
parsing before it was refused. Real object streams inflate 3 to 20 times; so all the object
streams a reader decodes may inflate to `INFLATION_FLOOR` plus `MAX_INFLATION` times their
encoded size, in total (many small bombs add up); past that `install`'s `refuse` is called
as the stream is decoded, before any of its objects is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.misc import PdfReadError, PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader

_pyhanko_get = PdfFileReader._get_object_from_stream
_CACHE = "_cedula_object_stream_headers"
_INFLATED = "_cedula_object_streams_inflated"

# All object streams of a reader inflate to at most INFLATION_FLOOR + MAX_INFLATION times
# their encoded bytes (see the module).
MAX_INFLATION = 100
INFLATION_FLOOR = 64 * 1024


def _inflating(reader: PdfFileReader, encoded: int, decoded: int) -> None:
    """Add one decoded stream to the reader's totals; `_refuse` when past the bound."""
    totals = reader.__dict__.setdefault(_INFLATED, [0, 0])
    totals[0] += encoded
    totals[1] += decoded
    if totals[1] > INFLATION_FLOOR + MAX_INFLATION * totals[0]:
        _refuse(f"its object streams inflate {totals[0]} bytes to {totals[1]}, more than "
                f"{MAX_INFLATION} times")


@dataclass
class _Header:
    """What has been read so far of one object stream's header."""

    stream: Any
    data: bytes
    count: int
    first: dict[int, tuple[int, int]] = field(default_factory=dict)  # object -> (index, offset)
    read: int = 0  # entries read
    entries: list[tuple[int, int]] = field(default_factory=list)  # (object, offset) by index
    position: int = 0  # where the next entry starts
    corrupted: bool = False

    def find(self, idnum: int, on_entry: Any) -> tuple[int, int] | None:
        """(index, offset) of the first entry for `idnum`, reading on as far as needed;
        None if the header has no such entry (or is corrupted before one)."""
        if idnum in self.first:
            return self.first[idnum]
        reader = BytesIO(self.data)
        reader.seek(self.position)
        while not self.corrupted and self.read < self.count:
            on_entry()
            try:
                misc.read_non_whitespace(reader, seek_back=True)
                objnum = generic.NumberObject.read_from_stream(reader)
                misc.read_non_whitespace(reader, seek_back=True)
                offset = generic.NumberObject.read_from_stream(reader)
                misc.read_non_whitespace(reader, seek_back=True)
            except ValueError:
                self.corrupted = True
                break
            index = self.read
            self.read += 1
            self.position = reader.tell()
            self.entries.append((int(objnum), int(offset)))
            self.first.setdefault(int(objnum), (index, int(offset)))
            if objnum == idnum:
                return self.first[idnum]
        return None


def _header(reader: PdfFileReader, stmnum: int, stream: Any) -> _Header:
    headers: dict[int, _Header] = reader.__dict__.setdefault(_CACHE, {})
    known = headers.get(stmnum)
    if known is None or known.stream is not stream:
        data = stream.read_data(DecodePurpose.OBJECT_STREAM)
        _inflating(reader, len(stream.encoded_data or b""), len(data))
        known = _Header(stream=stream, data=data, count=int(stream["/N"]))
        headers[stmnum] = known
    return known


def listing(stream: Any, reader: PdfFileReader) -> tuple[list[tuple[int, int]], bytes, bool]:
    """All of the object stream `stream`'s header entries ((object number, offset) by index),
    its decoded data, and whether its header is corrupted; decoded within `MAX_INFLATION` and
    each entry counted like the ones `get_object_from_stream` reads. For a stream read apart
    from the reader's tables (`verify.unlisted`: one the cross-reference may not list)."""
    data = stream.read_data(DecodePurpose.OBJECT_STREAM)
    _inflating(reader, len(stream.encoded_data or b""), len(data))
    header = _Header(stream=stream, data=data, count=int(stream["/N"]))
    header.find(-1, _count)  # no object is numbered -1: reads the whole header
    return header.entries, data, header.corrupted


def get_object_from_stream(self: PdfFileReader, idnum: int, stmnum: int, idx: int) -> Any:
    """`PdfFileReader._get_object_from_stream`, the header read once (see the module)."""
    stream = generic.Reference(stmnum, 0, self).get_object()
    assert isinstance(stream, generic.StreamObject)
    assert stream["/Type"] == "/ObjStm"
    if not (0 <= idx < stream["/N"]):
        if self.strict:
            raise PdfStrictReadError("Object stream does not contain index")
        return generic.NullObject()
    header = _header(self, stmnum, stream)
    found = header.find(idnum, _count)
    if found is None:
        if header.corrupted and self.strict:
            raise PdfStrictReadError("Object stream header possibly corrupted")
        if self.strict:
            raise PdfStrictReadError("Object not found in stream, this is a fatal error in "
                                     "strict mode")
        return generic.NullObject()
    index, offset = found
    if self.strict and idx != index:
        raise PdfStrictReadError("Object is in wrong index.")
    data = BytesIO(header.data)
    data.seek(stream["/First"] + offset)
    try:
        obj = generic.read_object(data, generic.Reference(idnum, 0, self))
    except (misc.PdfStreamError, PdfReadError) as exc:
        if self.strict:
            raise PdfStrictReadError(f"Can't read object stream: {exc}") from exc
        obj = generic.NullObject()
    if isinstance(obj, generic.StreamObject | generic.IndirectObject) and self.strict:
        raise PdfStrictReadError("Encountered forbidden object type in object stream")
    return obj


def _nothing() -> None:
    return None


def _not_refused(problem: str) -> None:
    return None


_count: Callable[[], None] = _nothing
_refuse: Callable[[str], None] = _not_refused


def install(count: Callable[[], None], refuse: Callable[[str], None] = _not_refused) -> None:
    """Make pyHanko's readers use `get_object_from_stream`, calling `count` for each header
    entry read (`pdf_parsing`: against the active budget) and `refuse` (which raises) for
    object streams inflating past `MAX_INFLATION`. Idempotent."""
    global _count, _refuse
    _count = count
    _refuse = refuse
    PdfFileReader._get_object_from_stream = get_object_from_stream  # type: ignore[method-assign]
