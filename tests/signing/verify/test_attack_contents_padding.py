"""What rides in the /Contents gap after the CMS (ISO 32000-2, 12.8.1: the space reserved for
the DER-encoded signature is padded with zeros). The CMS parser stops at the CMS's own length
and ignores the rest, so data after it, a second signature above all, travelled unsigned and
unreported inside a document reported valid: a verifier that reads the other value, or a
tool that extracts "the" signature, sees something else. Only zero padding may follow.

Each one is refused as wrapped, by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import re

import pytest

from signing.verify import byterange
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _after_the_cms(pdf: bytes, extra: bytes) -> bytes:
    """`pdf` with `extra` (hexadecimal) written right after its CMS in the /Contents gap, the
    rest zero padding: every offset stays, the signed bytes do not change."""
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    start, end = match.span(1)
    value = kit.cms_of(pdf).dump().hex().encode() + extra
    assert len(value) <= end - start, "no room in the gap"
    return pdf[:start] + value + b"0" * (end - start - len(value)) + pdf[end:]


@pytest.fixture(scope="module")
def two_signatures(pki) -> bytes:
    """A signed document whose gap holds its CMS and then the CMS of another document."""
    other = samples.sign(samples.blank_pdf(text="Otro"), samples.signer_for(pki.signer, pki))
    roomy = _roomy(pki)
    return _after_the_cms(roomy, kit.cms_of(other).dump().hex().encode())


def _roomy(pki) -> bytes:
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Firma",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf())),
        bytes_reserved=16384).getvalue()


@pytest.mark.parametrize("extra", [b"cafebabe" * 8, b"00" * 40 + b"01", b"ff"])
def test_data_after_the_cms_in_the_gap_is_refused(verifier, signed, extra):
    report = verifier.verify(_after_the_cms(signed, extra))
    sig = report.signatures[0]
    assert (report.indication.value, sig.reason, sig.modifications.level) == \
        ("TOTAL-FAILED", "wrapped", "unclear")
    assert report.verdict.value == "not_valid"


def test_a_second_signature_after_the_cms_is_refused(verifier, two_signatures):
    report = verifier.verify(two_signatures)
    assert report.signatures[0].reason == "wrapped"
    assert not report.conclusion.passed


def test_zero_padding_alone_still_passes(verifier, pki, signed):
    assert verifier.verify(_after_the_cms(signed, b"")).conclusion.passed
    assert verifier.verify(_roomy(pki)).conclusion.passed


def test_the_rule():
    der = bytes.fromhex("3003020101")  # SEQUENCE { INTEGER 1 }
    gap = b"<" + (der + b"\0" * 4).hex().encode() + b">"
    data = b"%PDF-1.7\n" + gap + b"\n%%EOF\n"
    ranges = [0, 9, 9 + len(gap), len(data) - 9 - len(gap)]
    assert byterange.check(data, ranges, der + b"\0" * 4).ok
    tail = der + b"\0\0\x01\0"
    gap = b"<" + tail.hex().encode() + b">"
    data = b"%PDF-1.7\n" + gap + b"\n%%EOF\n"
    ranges = [0, 9, 9 + len(gap), len(data) - 9 - len(gap)]
    assert not byterange.check(data, ranges, tail).ok


def test_the_api_refuses_them_too(client, verifier, two_signatures):
    kit.assert_refused_over_http(client, verifier, two_signatures, reason="wrapped",
                                 level="unclear")
