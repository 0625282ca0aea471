"""Hostile PDFs given to sign or prepare: the signing side parses within a budget
(`signing.pdf_input.parsing`, `signing.pdf_parsing`), like the verifier.

No assertion here is a wall-clock bound: work is counted (objects parsed, digits read by the
slow reader), and a refusal by size is shown with a time budget that cannot run out."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing import hex_strings, pdf_input, pdf_parsing
from signing.normalise import normalise, require_normalised
from signing.pdf_input import InvalidPdf, check_pdf
from tests.signing.verify import forgeries, samples

MAX = 20 * 1024 * 1024


def _update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.stream_xrefs = True
    change(writer)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fields_bomb(pdf: bytes, numbers: int = 200_000) -> bytes:
    """/AcroForm /Fields, an array of `numbers` zeros alone in a compressed object stream: a
    few kilobytes that every reader of the form's fields parses object by object."""
    def change(writer):
        stream = writer.prepare_object_stream()
        fields = writer.add_object(generic.ArrayObject([generic.NumberObject(0)] * numbers),
                                   obj_stream=stream)
        writer.root[N("/AcroForm")] = generic.DictionaryObject({N("/Fields"): fields})
    return _update(pdf, change)


def padded_object_stream(pdf: bytes, padding: int = 3_900_000) -> bytes:
    """/AcroForm /Fields, an empty array in an object stream padded with `padding` spaces:
    ~4 KB compressed that decode to ~4 MB (pyHanko's default limits decode object streams
    up to 4 MiB whatever their ratio)."""
    def change(writer):
        stream = writer.prepare_object_stream()
        fields = writer.add_object(generic.ArrayObject(), obj_stream=stream)
        render = stream.as_pdf_object

        def padded():
            plain = render()
            bomb = generic.StreamObject({key: plain[key] for key in ("/Type", "/N", "/First")},
                                        stream_data=plain.data + b" " * padding)
            bomb.compress()
            return bomb
        stream.as_pdf_object = padded
        writer.root[N("/AcroForm")] = generic.DictionaryObject({N("/Fields"): fields})
    return _update(pdf, change)


@pytest.mark.parametrize(("read", "bomb"), [
    (check_pdf, fields_bomb),
    (normalise, lambda pdf: forgeries.object_stream_bomb(pdf, streams=1, numbers=200_000)),
    (lambda data, max_bytes: require_normalised(data), fields_bomb),
])
def test_an_object_stream_bomb_stops_at_the_first_checkpoint_past_the_time(
        monkeypatch, parsed, read, bomb):
    """Attack: ~20 KB whose object streams hold millions of objects. An agency's upload (or a
    citizen's) held a worker for minutes: the signing side parsed with no budget at all."""
    data = bomb(samples.blank_pdf())
    assert len(data) < 64 * 1024
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", -1.0)  # every checkpoint is too late
    with pytest.raises(InvalidPdf) as info:
        read(data, max_bytes=MAX)
    assert (info.value.key, info.value.status, info.value.error) == (
        "too_complex", 422, "document_too_complex")
    assert "too many objects" in info.value.description
    assert len(parsed) < 3 * pdf_parsing.OBJECTS_PER_CHECK, "the bomb was parsed to the end"


def test_a_budget_left_over_does_not_refuse_the_next_file(monkeypatch):
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", -1.0)
    with pytest.raises(InvalidPdf):
        check_pdf(fields_bomb(samples.blank_pdf(), numbers=5000), max_bytes=MAX)
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", 20.0)
    assert pdf_parsing.current() is None
    assert check_pdf(samples.blank_pdf(), max_bytes=MAX).pages == 1


def test_a_huge_reserved_signature_value_is_read_in_one_pass(monkeypatch):
    """Attack: a signed PDF whose /Contents reserves megabytes of hexadecimal digits, read
    one digit at a time (~3 µs each) inside a single object, where no checkpoint can stop."""
    from pyhanko.sign import fields, signers

    pki = samples.build_pki()
    meta = signers.PdfSignatureMetadata(field_name="Firma",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    pdf = signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf())),
        bytes_reserved=1_500_000).getvalue()
    slow_digits: list[int] = []
    original = hex_strings._pyhanko_read

    def counted(stream):
        start = stream.tell()
        try:
            return original(stream)
        finally:
            slow_digits.append(stream.tell() - start)

    monkeypatch.setattr(hex_strings, "_pyhanko_read", counted)
    monkeypatch.setattr(generic, "read_hex_string_from_stream", counted)  # as pyHanko has it
    checked = check_pdf(pdf, max_bytes=MAX)
    assert checked.signatures == 1
    assert sum(slow_digits) < 10_000, "the reserved /Contents went through the slow reader"


def test_a_flate_bomb_is_refused_by_its_decoded_size_not_a_timer(monkeypatch):
    """Attack: a compressed object stream that decodes to ~1000 times its size. pyHanko's
    default limits decode 4 MiB of any object stream (and 256 MiB of other streams) from a
    few kilobytes; here the reader stops at the decode limit, whatever the time."""
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", 10_000.0)
    data = padded_object_stream(samples.blank_pdf())
    assert len(data) < 64 * 1024
    with pytest.raises(InvalidPdf) as info:
        check_pdf(data, max_bytes=MAX)
    assert info.value.key == "too_complex"
    assert "decompressed" in info.value.description


def test_the_verifier_reads_with_the_same_decode_limits():
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError

    from signing.verify.reading import read_pdf

    reader = read_pdf(padded_object_stream(samples.blank_pdf()), max_bytes=MAX)
    assert reader.decode_context.limits is pdf_parsing.DECODE_LIMITS
    with pytest.raises(PdfDecodeLimitError):
        reader.root["/AcroForm"]["/Fields"]


@contextlib.contextmanager
def every_slot_taken(monkeypatch) -> Iterator[None]:
    """Every parsing slot of the signing side held (as by files being read), and a short wait
    for one; given back on the way out."""
    monkeypatch.setattr(pdf_parsing, "BUSY_WAIT_SECONDS", 0.05)
    taken = 0
    try:
        for _ in range(pdf_parsing.SIGNING_CONCURRENT):
            pdf_input._SLOTS.take()
            taken += 1
        yield
    finally:
        for _ in range(taken):
            pdf_input._SLOTS.give_back()


def test_too_many_files_at_once_answers_busy_with_a_time_to_retry(monkeypatch):
    with every_slot_taken(monkeypatch), pytest.raises(InvalidPdf) as info:
        check_pdf(samples.blank_pdf(), max_bytes=MAX)
    assert (info.value.status, info.value.error, info.value.retry_after) == (
        503, "temporarily_unavailable", pdf_input.BUSY_RETRY_SECONDS)
    assert "segundos" in info.value.message("es")
    assert check_pdf(samples.blank_pdf(), max_bytes=MAX).pages == 1  # the slots came back



def test_a_signed_file_with_a_dss_bomb_is_refused_when_a_citizen_signs_it(documents, citizen, parsed,
                                                                          monkeypatch):
    """Attack: an agency's prepared file already signed (normalising leaves it as it is) with
    a DSS whose object streams hold a million objects: its checks never read the DSS, and the
    sealer read it, with no budget, to add the citizen's validation data."""
    from signing.citizen_signature import sign
    from tests.signing.conftest import AGENCY
    from tests.signing.test_citizen_signature import approval_for
    from tests.signing.test_pades import _field, _rendered

    rendered = _rendered()
    sealed = documents.sealer.seal(rendered.pdf, client_id=AGENCY, level="B-B", field=_field(rendered)).pdf
    bombed = forgeries.object_stream_bomb(sealed, streams=2, numbers=200_000)
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", -1.0)  # every checkpoint is too late
    parsed.clear()
    with pytest.raises(InvalidPdf) as info:
        sign(documents, citizen=citizen, pdf=bombed, approval=approval_for(bombed), file_name="a.pdf")
    assert info.value.key == "too_complex"
    assert len(parsed) < 3 * pdf_parsing.OBJECTS_PER_CHECK, "the bomb was parsed to the end"


@pytest.mark.parametrize("read", [check_pdf, normalise,
                                  lambda data, max_bytes: require_normalised(data)])
def test_a_small_file_with_many_objects_is_refused_at_its_allowance_not_its_time(
        monkeypatch, parsed, read):
    """Attack: a few kilobytes that expand into 200 000 objects held one of the two parse
    slots of the signing side until the time budget ran out (20 s each upload). The objects a
    file may parse follow its size now: refused once past them, whatever the time left."""
    monkeypatch.setattr(pdf_parsing, "SIGNING_SECONDS", 10_000.0)
    data = fields_bomb(samples.blank_pdf())
    allowance = pdf_parsing.object_allowance(len(data))
    assert allowance < 200_000
    with pytest.raises(InvalidPdf) as info:
        read(data, max_bytes=MAX)
    assert (info.value.key, info.value.status, info.value.error) == (
        "too_complex", 422, "document_too_complex")
    assert "too many objects" in info.value.description
    assert len(parsed) <= allowance + 100  # (+ the cross-reference streams, read first)
    assert pdf_parsing.current() is None  # the budget and its slot were given back


def test_a_long_legitimate_document_is_read_within_its_allowance(parsed):
    data = samples.long_pdf(2000)
    assert check_pdf(data, max_bytes=MAX).pages == 2000
    assert normalise(data, max_bytes=MAX).removed == ()
    assert len(parsed) < pdf_parsing.object_allowance(len(data)) // 5  # both reads together
