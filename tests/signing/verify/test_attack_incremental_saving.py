"""Incremental saving attacks (Mladenov et al., "1 Trillion Dollar Refund", CCS 2019, ISA):
revisions appended after the signature that change what is shown, written by pyHanko's writer
or by hand (cross-reference tricks: /Prev loops and skips, a second trailer, objects the
cross-reference does not list, hybrid table + stream, freed objects).

Each one is refused with its reason, by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries


def _content_number(pdf: bytes) -> int:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return writer.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents").idnum


def isa_with_xref_stream(pdf: bytes) -> bytes:
    """The page's content replaced in an update written with a cross-reference stream."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.stream_xrefs = True
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[N("/Contents")] = writer.add_object(generic.StreamObject(stream_data=forgeries.FORGED))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_prev(pdf: bytes, target: int) -> bytes:
    """`pdf` (an update) whose last trailer's /Prev is rewritten in place as `target`."""
    at = pdf.rfind(b"/Prev ") + len(b"/Prev ")
    old = pdf[at:].split()[0].rstrip(b">")
    new = str(target).encode().rjust(len(old))
    assert len(new) == len(old)
    return pdf[:at] + new + pdf[at + len(old):]


def prev_to_itself(pdf: bytes) -> bytes:
    forged = forgeries.incremental_saving(pdf)
    return _with_prev(forged, int(forged[forged.rfind(b"startxref") + 9:].split()[0]))


def prev_skipping_the_signature(pdf: bytes) -> bytes:
    """The update's /Prev points at the first revision: the signed revision is skipped."""
    forged = forgeries.incremental_saving(pdf)
    first = pdf[:pdf.find(b"%%EOF")]
    return _with_prev(forged, int(first[first.rfind(b"startxref") + 9:].split()[0]))


def unlisted_redefinition(pdf: bytes) -> bytes:
    """An update whose body redefines the page's content stream (same number) while its
    cross-reference table lists nothing: pyHanko never reads the new object, a reader that
    rebuilds the cross-reference from the objects it finds shows it."""
    size, previous, root = kit.tail_facts(pdf)
    body = pdf + kit.stream_object(_content_number(pdf), forgeries.FORGED)
    return kit.finish(body + kit.table({}, size, root, previous), len(body))


def second_trailer(pdf: bytes) -> bytes:
    """An update with two tables and trailers: `startxref` points at the empty one, the
    other maps the page's content to the unused stream prepared in the signed revision."""
    size, previous, root = kit.tail_facts(pdf)
    number = _content_number(pdf)
    hidden = IncrementalPdfFileWriter(io.BytesIO(pdf)).root.raw_get("/CedulaTestHidden").idnum
    body = pdf + kit.table({}, size, root, previous)
    shadow = kit.table({number: kit.object_offset(pdf, hidden)}, size, root, previous)
    return kit.finish(body + shadow, len(pdf))


def hybrid_reference(pdf: bytes) -> bytes:
    """An update whose table lists nothing and whose /XRefStm stream (ISO 32000-1, 7.5.8.4)
    maps the page's content to a new stream: readers without hybrid support see no change."""
    size, previous, root = kit.tail_facts(pdf)
    number = _content_number(pdf)
    new = len(pdf)
    body = pdf + kit.stream_object(number, forgeries.FORGED)
    row = b"\x01" + new.to_bytes(4, "big") + b"\x00"
    stream_at = len(body)
    body += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Index [%d 1] /Length %d >>\n" \
        b"stream\n" % (size, size + 1, number, len(row)) + row + b"\nendstream\nendobj\n"
    return kit.finish(body + kit.table({}, size + 1, root, previous,
                                       extra=b" /XRefStm %d" % stream_at), len(body))


def freed_content(pdf: bytes) -> bytes:
    """An update that frees the page's content stream: the page shows nothing."""
    size, previous, root = kit.tail_facts(pdf)
    return kit.finish(pdf + kit.table({_content_number(pdf): None}, size, root, previous),
                      len(pdf))


def pages_swapped(pdf: bytes) -> bytes:
    """The page tree's /Kids replaced by a new page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pages = writer.root["/Pages"]
    old = pages["/Kids"][0].get_object()
    page = generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/Parent"): writer.root.raw_get("/Pages"),
        N("/MediaBox"): old["/MediaBox"], N("/Resources"): old["/Resources"],
        N("/Contents"): writer.add_object(generic.StreamObject(stream_data=forgeries.FORGED))})
    pages[N("/Kids")] = generic.ArrayObject([writer.add_object(page)])
    writer.update_container(pages)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signature_field(writer):
    return writer.root["/AcroForm"]["/Fields"][0].get_object()


def signature_dictionary_rewritten(pdf: bytes) -> bytes:
    """The signature dictionary itself redefined (another /Name and /Reason)."""
    def change(writer):
        value = _signature_field(writer)["/V"]
        value[N("/Name")] = generic.TextStringObject("Otra persona")
        value[N("/Reason")] = generic.TextStringObject("Pagado")
        writer.update_container(value)
    return kit.updated(pdf, change)


def field_pointed_at_a_copy(pdf: bytes) -> bytes:
    """The signature field's /V pointed at an unsigned copy of its signature dictionary."""
    def change(writer):
        field = _signature_field(writer)
        field[N("/V")] = writer.add_object(generic.DictionaryObject(dict(field["/V"].items())))
        writer.update_container(field)
    return kit.updated(pdf, change)


def own_widget_over_the_page(pdf: bytes) -> bytes:
    """The signature's own widget enlarged to the page, with an appearance of new text."""
    def change(writer):
        field = _signature_field(writer)
        page_box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
        field[N("/Rect")] = page_box
        field[N("/AP")] = generic.DictionaryObject({N("/N"): writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"), N("/BBox"): page_box},
            stream_data=b"1 1 1 rg 0 0 595 842 re f 0 g BT /Helv 18 Tf 72 760 Td "
                        b"(Importe: 9999 EUR) Tj ET"))})
        writer.update_container(field)
    return kit.updated(pdf, change)


def page_added(pdf: bytes) -> bytes:
    def change(writer):
        pages = writer.root["/Pages"]
        old = pages["/Kids"][0].get_object()
        pages["/Kids"].append(writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Page"), N("/Parent"): writer.root.raw_get("/Pages"),
            N("/MediaBox"): old["/MediaBox"], N("/Resources"): old["/Resources"],
            N("/Contents"): writer.add_object(generic.StreamObject(stream_data=forgeries.FORGED))})))
        pages[N("/Count")] = generic.NumberObject(2)
        writer.update_container(pages)
    return kit.updated(pdf, change)


def generation_bumped(pdf: bytes) -> bytes:
    """The content stream redefined under the next generation number ("4 1 obj"): the page
    still says "4 0 R"; readers that ignore generations show the new one."""
    size, previous, root = kit.tail_facts(pdf)
    number = _content_number(pdf)
    body = pdf + kit.stream_object(number, forgeries.FORGED).replace(
        b"%d 0 obj" % number, b"%d 1 obj" % number, 1)
    entry = b"xref\n%d 1\n%010d 00001 n \n" % (number, len(pdf))
    return kit.finish(body + entry + b"trailer\n<< /Size %d /Root %s /Prev %d >>\n"
                      % (size, root, previous), len(body))


def listed_orphan(pdf: bytes) -> bytes:
    """Control: an update (hand-written table) adding one object nothing uses, listed."""
    size, previous, root = kit.tail_facts(pdf)
    body = pdf + b"%d 0 obj\n(nada)\nendobj\n" % size
    return kit.finish(body + kit.table({size: len(pdf)}, size + 1, root, previous), len(body))


REFUSED = [
    (forgeries.incremental_saving, "modified", "other"),
    (isa_with_xref_stream, "modified", "other"),
    (unlisted_redefinition, "appended", "appended"),
    (second_trailer, "appended", "appended"),
    (hybrid_reference, "hybrid_reference", "unclear"),
    (freed_content, "modified", "other"),
    (pages_swapped, "modified", "other"),
    (page_added, "modified", "other"),
    (signature_dictionary_rewritten, "wrapped", "unclear"),
    (field_pointed_at_a_copy, "wrapped", "unclear"),
    (own_widget_over_the_page, "modified", "other"),
]


@pytest.mark.parametrize(("attack", "reason", "level"), REFUSED,
                         ids=[a.__name__ for a, _r, _l in REFUSED])
def test_an_incremental_saving_attack_is_not_valid(verifier, signed_with_hidden, attack,
                                                   reason, level):
    report = verifier.verify(attack(signed_with_hidden))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    sig = report.signatures[0]
    assert (sig.reason, sig.modifications.level) == (reason, level)
    assert not sig.covers_whole_document
    assert report.verdict.value == "not_valid"


def test_objects_the_update_does_not_list_are_named_in_the_report(verifier,
                                                                  signed_with_hidden):
    """Regression: such an update passed as "only validation data was added" (TOTAL-PASSED)
    while a repairing viewer showed the redefined page (and, with a second trailer, the
    content prepared before signing)."""
    for attack in (unlisted_redefinition, second_trailer):
        sig = verifier.verify(attack(signed_with_hidden)).signatures[0]
        assert "no cross-reference section accounts for" in sig.modifications.detail


def test_a_hybrid_reference_file_is_named_as_such(verifier, signed_with_hidden):
    """Regression: pyHanko validates no hybrid-reference file, and the report called the
    signature "malformed or cannot be read"; it is the file's cross-reference that readers
    resolve differently (ISO 32000-1, 7.5.8.4)."""
    sig = verifier.verify(hybrid_reference(signed_with_hidden)).signatures[0]
    assert sig.reason == "hybrid_reference"
    assert "cross-reference" in sig.message("en") and "referencias cruzadas" in sig.message("es")


@pytest.mark.parametrize("attack", [prev_to_itself, prev_skipping_the_signature,
                                    generation_bumped],
                         ids=["prev_to_itself", "prev_skipping_the_signature",
                              "generation_bumped"])
def test_a_broken_prev_chain_is_unreadable(verifier, signed_with_hidden, attack):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(attack(signed_with_hidden))
    assert info.value.error == "damaged_pdf"


def test_an_update_of_listed_objects_alone_still_passes(verifier, signed_with_hidden):
    """The check of unlisted bytes refuses no well-formed update (hand-written table)."""
    report = verifier.verify(listed_orphan(signed_with_hidden))
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "unreferenced"  # not validation data


def test_the_api_refuses_them_too(client, verifier, signed_with_hidden):
    for attack, reason, level in REFUSED:
        kit.assert_refused_over_http(client, verifier, attack(signed_with_hidden),
                                     reason=reason, level=level)
    broken = kit.over_http(client, verifier, prev_to_itself(signed_with_hidden))
    assert broken["status"] == 422 and broken["error"] == "damaged_pdf"
    assert broken["error_description"]


def test_an_object_listed_by_many_updates_is_read_once(verifier, signed_with_hidden,
                                                       monkeypatch):
    """The check of unlisted bytes reads each object once, however many later sections list
    it at the same offset (a big stream listed by hundreds of updates stays one read)."""
    from signing.verify import unlisted

    pdf = listed_orphan(signed_with_hidden)
    number, offset = kit.tail_facts(pdf)[0] - 1, len(signed_with_hidden)
    for _ in range(20):
        size, previous, root = kit.tail_facts(pdf)
        pdf = kit.finish(pdf + kit.table({number: offset}, size, root, previous), len(pdf))
    reads: list[int] = []
    real = unlisted._object_end

    def counting(reader, location, idnum):
        reads.append(location)
        return real(reader, location, idnum)

    monkeypatch.setattr(unlisted, "_object_end", counting)
    verifier.verify(pdf)
    assert reads.count(offset) == 1
