"""The cross-reference a viewer rebuilds (`signing.linearization._rebuilt`, read when a file's
linearization dictionary is in force and no section stands where pdf.js looks) is found in work
linear in the file: it searched from every object header to the next `endobj`, so a hostile
upload of many headers and no `endobj` (inside a stream pyHanko never parses) cost time
quadratic in its size, minutes of a worker's CPU for a few megabytes at the public verify
upload. Counted in bytes searched, not timed."""

from __future__ import annotations

from signing import linearization


class _Counted(bytes):
    """The file's bytes, counting what `find` searches (the old loop's per-header searches)."""

    searched = 0

    def find(self, sub, start=None, end=None):  # type: ignore[override]
        begin = 0 if start is None else start
        stop = len(self) if end is None else end
        type(self).searched += max(0, stop - begin)
        return super().find(sub, start, end)


def test_many_object_headers_without_endobj_cost_work_linear_in_the_file():
    data = _Counted(b"%PDF-1.7\n" + b"1 0 obj\n" * 20_000)
    _Counted.searched = 0
    entries, sections = linearization._rebuilt(None, data)
    assert entries == {1: (0, len(data) - len(b"1 0 obj\n"))}  # the last header of object 1 wins
    assert sections == set()
    assert _Counted.searched <= 2 * len(data)


def test_a_cross_reference_stream_is_still_found_between_its_header_and_endobj():
    data = (b"%PDF-1.7\n1 0 obj\n<</Type /Page>>\nendobj\n"
            b"2 0 obj\n<</Type /XRefStm /X 1>>\nendobj\n"  # /XRefStm: no section
            b"3 0 obj\n<</Type /XRef /Size 4>>\nstream\nendstream\nendobj\n"
            b"4 0 obj\n<</A 1>>\nendobj\n/XRef\n")  # /XRef after its endobj: not 4's
    _entries, sections = linearization._rebuilt(None, _Counted(data))
    assert sections == {data.index(b"3 0 obj")}


def _xref_stream(number: int, prev: int | None) -> bytes:
    previous = b"" if prev is None else b" /Prev %d" % prev
    return b"%d 0 obj\n<</Type /XRef /Size 1 /W [1 1 1] /Length 0%s>>\nstream\n\nendstream\nendobj\n" % (
        number, previous)


def test_sections_leading_into_one_chain_read_it_once(monkeypatch):
    """Many cross-reference streams whose /Prev all lead into one long chain: each section is
    read once per file (before, every section read the whole chain again: sections x chain)."""
    read: list[int] = []
    monkeypatch.setattr(linearization, "parse_xref_stream", lambda section, strict: read.append(1) or [])
    data = b"%PDF-1.7\n"
    chain: list[int] = []
    for number in range(1, 41):  # the chain: each names the one before
        chain.append(len(data))
        data += _xref_stream(number, chain[-2] if len(chain) > 1 else None)
    for number in range(41, 81):  # forty sections leading into its newest one
        data += _xref_stream(number, chain[-1])
    _entries, sections = linearization._rebuilt(None, _Counted(data))
    assert len(sections) == 80
    assert len(read) == 80
