"""The fast hexadecimal-string reader (`signing.hex_strings`)."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signing import hex_strings
from tests.signing.verify import samples


@pytest.mark.parametrize("raw", [
    b"<48656c6c6f> rest", b"<48 65\n6c\t6c 6f>", b"<486>", b"<>", b"<4%comment\n8>",
    b"<" + b"a1" * 70_000 + b"> x", b"<" + b"0f " * 40_000 + b"1>"])
def test_reads_what_pyhanko_reads_and_stops_where_it_stops(raw):
    ours, theirs = io.BytesIO(raw), io.BytesIO(raw)
    assert hex_strings.read_hex_string(ours) == hex_strings._pyhanko_read(theirs)
    assert ours.tell() == theirs.tell()


@pytest.mark.parametrize("raw", [b"<48zz>", b"<4848", b"<" + b"00" * 70_000])
def test_fails_as_pyhanko_fails(raw):
    with pytest.raises(PdfStreamError):
        hex_strings._pyhanko_read(io.BytesIO(raw))
    with pytest.raises(PdfStreamError):
        hex_strings.read_hex_string(io.BytesIO(raw))


def test_a_huge_reserved_signature_value_is_read_quickly(verifier, pki, monkeypatch):
    """Attack: a signature whose /Contents reserves megabytes of zeros. Parsing it took about
    3 µs a digit (8 s for this 3 MB file, a minute near the upload limit) inside one object,
    where no budget checkpoint can stop the work."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Firma", subfilter=fields.SigSeedSubFilter.PADES)
    pdf = signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf())),
        bytes_reserved=3_000_000).getvalue()
    from signing.verify.validation import Verifier

    roomy = Verifier(trust=verifier.trust, evidence=verifier.evidence, clock=verifier.clock,
                     max_bytes=8 * 1024 * 1024, limits=verifier.limits)
    assert generic.read_hex_string_from_stream is hex_strings.read_hex_string
    slow_digits: list[int] = []  # what pyHanko's digit-at-a-time reader had to read

    def counted(stream):
        start = stream.tell()
        try:
            return hex_strings._pyhanko_read(stream)
        finally:
            slow_digits.append(stream.tell() - start)

    monkeypatch.setattr(hex_strings, "_pyhanko_read", counted)
    report = roomy.verify(pdf)
    assert report.conclusion.passed
    assert sum(slow_digits) < 10_000, "the reserved /Contents went through the slow reader"
