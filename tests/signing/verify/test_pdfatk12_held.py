"""Forgeries of the pdfatk12 review that were already refused, kept as regressions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

_TEXT = samples.TEXT
_PAINTED = b"1 1 1 rg 0 0 340 60 re f 0 g BT /F1 18 Tf 12 20 Td (Importe: 9999 EUR) Tj ET"


def _with_dangling_annotation() -> bytes:
    """One page whose /Annots names object 20, which the file does not define (a reader
    reads null: nothing is drawn)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
               b"<< /F1 5 0 R >> >> /Contents 4 0 R /Annots [20 0 R] >>",
               b"<< /Length %d >>\nstream\n" % len(_TEXT) + _TEXT + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return kit.classic_pdf(objects)


def _defining(pdf: bytes, objects: dict[int, bytes]) -> bytes:
    size, previous, root = kit.tail_facts(pdf)
    body, entries = pdf, {}
    for number, text in objects.items():
        entries[number] = len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (number, text)
    return kit.finish(body + kit.table(entries, max(size, max(objects) + 1), root, previous),
                      len(body))


def test_an_update_defining_what_a_signed_reference_named_is_refused(verifier, pki):
    """The signed page names annotation 20 0 R, undefined when signed; an update defines it
    as a free-text annotation painting 9999 EUR over the amount. pyHanko's orphan search
    would take the new object for one nothing uses; the walk of the signed revision refuses
    the undefined reference first."""
    signed = samples.sign(_with_dangling_annotation(), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    assert verifier.verify(signed).conclusion.passed
    forged = _defining(signed, {
        20: b"<< /Type /Annot /Subtype /FreeText /Rect [60 740 400 800] /F 4 "
            b"/Contents (Importe: 9999 EUR) /DA (/Helv 18 Tf 0 g) /AP << /N 21 0 R >> >>",
        21: b"<< /Type /XObject /Subtype /Form /BBox [0 0 340 60] /Resources << /Font "
            b"<< /F1 5 0 R >> >> /Length %d >>\nstream\n" % len(_PAINTED) + _PAINTED
            + b"\nendstream"})
    with pytest.raises(UnreadableDocument) as refused:
        verifier.verify(forged)
    assert refused.value.error == "damaged_pdf"


def _timestamped(pdf: bytes, stamper, name: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfTimeStamper(stamper, field_name=name).timestamp_pdf(
        writer, md_algorithm="sha256").getvalue()


def test_an_expired_signer_is_not_judged_at_an_earlier_time_stamps_time(verifier, pki):
    """The archive time-stamp rescue judges a signature at the time of the first document
    time-stamp after it, looked up by field name. A file time-stamped while the signer's
    certificate was valid, signed after it expired, then given an invalid time-stamp named
    like the early one: were the early time taken, the signature would pass. Two fields of
    one name are themselves a change the difference analysis refuses."""
    early = samples.NOW - timedelta(days=20)  # `pki.expired` was valid then
    stamped = _timestamped(samples.blank_pdf(), samples.timestamper(pki, early), "Sello")
    meta = signers.PdfSignatureMetadata(field_name="Firma",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    signed = signers.PdfSigner(meta, signer=samples.signer_for(pki.expired, pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(stamped))).getvalue()
    later = _timestamped(signed, samples.timestamper(pki), "Sellx")
    forged = kit.renamed(later, b"(Sellx)", b"(Sello)")  # and its hash no longer matches
    report = verifier.verify(forged)
    assert [t.valid for t in report.document_timestamps] == [True, False]
    assert not report.conclusion.passed
    assert report.signatures[0].conclusion.indication.value != "TOTAL-PASSED"
