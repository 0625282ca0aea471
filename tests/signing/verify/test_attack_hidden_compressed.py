"""Incremental saving attacks hidden in an object stream (ISO 32000-1, 7.5.7, 7.5.8): an
update written with a cross-reference stream whose object stream holds a compressed object
that the update's cross-reference stream does not list, or lists for another object number.
pyHanko follows the cross-reference and never reads it; a viewer that rebuilds the
cross-reference from the objects it finds (object streams included) shows it.

Here the hidden object is the page, redefined to show the content stream prepared (unused)
in the signed revision. Each such update is refused as "appended"; an update whose object
stream lists every compressed object, or whose unlisted copy changes nothing, is not.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.verify import attack_kit as kit


def _page(pdf: bytes, *, hidden: bool) -> tuple[int, bytes]:
    """(the page's number, the page dictionary written out; with /Contents pointing at the
    stream prepared before signing if `hidden`)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    reference = writer.root["/Pages"].raw_get("/Kids")
    kids = reference.get_object() if isinstance(reference, generic.IndirectObject) else reference
    page_ref = kids.raw_get(0)
    page = generic.DictionaryObject(dict(page_ref.get_object().items()))
    if hidden:
        page[N("/Contents")] = writer.root.raw_get("/CedulaTestHidden")
    out = io.BytesIO()
    page.write_to_stream(out)
    return page_ref.idnum, out.getvalue()


def with_object_stream(pdf: bytes, objects: list[tuple[int, bytes]],
                       listed: dict[int, int]) -> bytes:
    """An update of one object stream holding `objects` (number, written object), and a
    cross-reference stream listing the object stream, itself, and `listed` (object number ->
    index in the object stream)."""
    size, previous, root = kit.tail_facts(pdf)
    stm, xref = size, size + 1
    header = b""
    body = b""
    for number, written in objects:
        header += b"%d %d " % (number, len(body))
        body += written + b"\n"
    data = header + body
    stm_at = len(pdf)
    out = pdf + b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n" % (
        stm, len(objects), len(header), len(data)) + data + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = {stm: (1, stm_at), xref: (1, xref_at)}
    rows.update({number: (2, stm, index) for number, index in listed.items()})
    index = b""
    data = b""
    for number in sorted(rows):
        kind, where, *rest = rows[number]
        index += b"%d 1 " % number
        data += bytes([kind]) + where.to_bytes(4, "big") + (rest[0] if rest else 0).to_bytes(2, "big")
    top = max(rows) + 1
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Root %s /Prev %d " \
           b"/Length %d >>\nstream\n" % (xref, top, index.strip(), root, previous, len(data)) \
        + data + b"\nendstream\nendobj\n"
    return kit.finish(out, xref_at)


def page_hidden_in_object_stream(pdf: bytes) -> bytes:
    """The page redefined in an object stream the cross-reference stream does not list."""
    return with_object_stream(pdf, [_page(pdf, hidden=True)], {})


def page_listed_as_another_number(pdf: bytes) -> bytes:
    """The redefined page is at index 0 of the object stream, and the cross-reference stream
    lists index 0 for a new object number: pyHanko never reads that number."""
    size = kit.tail_facts(pdf)[0]
    return with_object_stream(pdf, [_page(pdf, hidden=True)], {size + 2: 0})


def page_hidden_after_a_listed_object(pdf: bytes) -> bytes:
    """A listed new object at index 0, the redefined page unlisted at index 1."""
    size = kit.tail_facts(pdf)[0]
    return with_object_stream(pdf, [(size + 2, b"(nada)"), _page(pdf, hidden=True)],
                              {size + 2: 0})


def listed_compressed_orphan(pdf: bytes) -> bytes:
    """Control: a new object nothing uses, in an object stream, listed."""
    size = kit.tail_facts(pdf)[0]
    return with_object_stream(pdf, [(size + 2, b"(nada)")], {size + 2: 0})


def unlisted_unchanged_page(pdf: bytes) -> bytes:
    """Control: an unlisted copy of the page exactly as it is: nothing shown changes."""
    return with_object_stream(pdf, [_page(pdf, hidden=False)], {})


HIDDEN = [page_hidden_in_object_stream, page_listed_as_another_number,
          page_hidden_after_a_listed_object]


def test_a_compressed_object_the_update_does_not_list_is_refused(verifier, signed_with_hidden):
    """Regression: each passed as "only validation data was added" (TOTAL-PASSED) while a
    viewer rebuilding the cross-reference showed the page redefined."""
    for attack in HIDDEN:
        report = verifier.verify(attack(signed_with_hidden))
        sig = report.signatures[0]
        assert (sig.reason, sig.modifications.level) == ("appended", "appended"), attack.__name__
        assert "no cross-reference section accounts for" in sig.modifications.detail
        assert (report.indication.value, report.verdict.value) == ("TOTAL-FAILED", "not_valid")


def test_listed_or_unchanged_compressed_objects_still_pass(verifier, signed_with_hidden):
    for control in (listed_compressed_orphan, unlisted_unchanged_page):
        report = verifier.verify(control(signed_with_hidden))
        assert report.conclusion.passed, control.__name__
        # new objects nothing refers to: worded as such, not as validation data (pdfatk7)
        assert report.signatures[0].modifications.level == "unreferenced"


def test_the_api_refuses_them_too(client, verifier, signed_with_hidden):
    for attack in HIDDEN:
        kit.assert_refused_over_http(client, verifier, attack(signed_with_hidden),
                                     reason="appended", level="appended")


def unlisted_object_stream_bomb(pdf: bytes) -> bytes:
    """An update's listed object stream, never referenced, whose Flate data inflates to
    megabytes of header entries ("0 0 0 0 ..."): pyHanko never decodes it; the check of
    hidden compressed objects must not spend the verification on it."""
    import zlib

    size, previous, root = kit.tail_facts(pdf)
    data = zlib.compress(b"0 0 " * 1_000_000, 9)
    stm_at = len(pdf)
    out = pdf + b"%d 0 obj\n<< /Type /ObjStm /N 1000000 /First 4000000 /Filter /FlateDecode " \
                b"/Length %d >>\nstream\n" % (size, len(data)) + data + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = b"".join(bytes([1]) + at.to_bytes(4, "big") + b"\x00\x00" for at in (stm_at, xref_at))
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 2] /Root %s /Prev %d " \
           b"/Length %d >>\nstream\n" % (size + 1, size + 2, size, root, previous, len(rows)) \
        + rows + b"\nendstream\nendobj\n"
    return kit.finish(out, xref_at)


def test_an_object_stream_bomb_in_an_update_is_refused_not_read(verifier, signed_with_hidden,
                                                                monkeypatch):
    """The object streams the check decodes stay within the parsing limits
    (`pdf_parsing.DECODE_LIMITS`, `object_streams.MAX_INFLATION`): one that does not decode
    within them is unexplained (refused as appended), its header never read."""
    from signing import object_streams

    headers: list[int] = []
    real = object_streams._Header.find

    def counting(self, idnum, on_entry):
        headers.append(self.count)
        return real(self, idnum, on_entry)

    monkeypatch.setattr(object_streams._Header, "find", counting)
    report = verifier.verify(unlisted_object_stream_bomb(signed_with_hidden))
    sig = report.signatures[0]
    assert (sig.reason, sig.modifications.level) == ("appended", "appended")
    assert 1_000_000 not in headers
