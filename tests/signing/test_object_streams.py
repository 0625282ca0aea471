"""`signing.object_streams`: each object stream's header is read once, with pyHanko's results."""

from __future__ import annotations

import io
import zlib

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.misc import PdfStrictReadError
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing import object_streams, pdf_parsing


def _with_object_stream(count: int) -> bytes:
    """A one-page PDF whose catalog lists `count` small objects, all in one object stream."""
    writer = PdfFileWriter(stream_xrefs=True)
    stream = writer.prepare_object_stream()
    refs = [writer.add_object(generic.ArrayObject([generic.NumberObject(i)]), obj_stream=stream)
            for i in range(count)]
    writer.root[N("/CedulaTest")] = generic.ArrayObject(refs)
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 10, 10)])}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _listed(reader) -> list:
    return [ref.get_object()[0] for ref in reader.root.raw_get("/CedulaTest")]


def test_the_header_is_read_once_for_all_the_objects_of_a_stream(monkeypatch):
    """pyHanko read the header from its start for every object: N²/2 entries for a stream of
    N objects (2000 objects: two million numbers; a crafted stream of 100 000, hours)."""
    data = _with_object_stream(2000)
    pdf_parsing.install()
    numbers = 0
    original = generic.NumberObject.read_from_stream

    def counted(stream):
        nonlocal numbers
        numbers += 1
        return original(stream)

    monkeypatch.setattr(generic.NumberObject, "read_from_stream", staticmethod(counted))
    reader = pdf_parsing.reader(data, strict=True)
    assert _listed(reader) == list(range(2000))
    assert numbers < 4 * 2000


def test_the_header_entries_count_against_the_budget():
    data = _with_object_stream(2000)
    pdf_parsing.install()
    budget = pdf_parsing.ParseBudget(1000.0)
    token = pdf_parsing.activate(budget)
    try:
        _listed(pdf_parsing.reader(data, strict=True))
    finally:
        pdf_parsing.deactivate(token)
    assert budget.objects_read >= 2 * 2000  # the objects, and the header's entries


def _objstm(header: bytes, body: bytes, count: int) -> generic.StreamObject:
    stream = generic.StreamObject({N("/Type"): N("/ObjStm"), N("/N"): generic.NumberObject(count),
                                   N("/First"): generic.NumberObject(len(header))},
                                  encoded_data=zlib.compress(header + body))
    stream[N("/Filter")] = N("/FlateDecode")
    return stream


def _shown(obj) -> str:
    return "null" if isinstance(obj, generic.NullObject) else f"{type(obj).__name__} {obj!r}"


@pytest.mark.parametrize(("header", "body", "count", "idnum", "idx"), [
    (b"10 0 11 4 ", b"[1] [2]", 2, 11, 1),         # found
    (b"10 0 11 4 ", b"[1] [2]", 2, 11, 0),         # found at another index
    (b"10 0 x 4 ", b"[1] [2]", 2, 11, 1),          # corrupted before the object
    (b"10 0 11 4 ", b"[1] [2]", 2, 12, 1),         # not listed
    (b"10 0 11 4 ", b"[1] 5 0 R", 2, 11, 1),       # a reference, forbidden in a stream
    (b"10 0 11 4 ", b"[1] [2]", 2, 11, 5),         # index past /N
])
@pytest.mark.parametrize("strict", [True, False])
def test_the_same_objects_and_errors_as_pyhanko(header, body, count, idnum, idx, strict):
    data = _with_object_stream(1)
    results = []
    for get in (object_streams._pyhanko_get, object_streams.get_object_from_stream):
        reader = pdf_parsing.reader(data, strict=strict)
        reader.cache_indirect_object(0, 900, _objstm(header, body, count))
        try:
            results.append(_shown(get(reader, idnum, 900, idx)))
        except PdfStrictReadError as exc:
            results.append(f"error: {exc}")
    assert results[0] == results[1]
