"""Signatures added after a signature: allowed (ISO 32000-1, 12.8.2.2), but a later signature
whose widget is visible draws whatever its appearance stream holds on the page, over what was
signed (the "sneaky signature attack", Mainka, Mladenov, Rohlmann, IEEE S&P 2021)."""

from __future__ import annotations

import io

from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from tests.signing.verify import samples


def _sign_again(pdf: bytes, pki, *, box) -> bytes:
    """A second signature by a trusted signer, in a new field `Visto` at `box` (None:
    invisible), its appearance a text of the attacker's choosing."""
    meta = signers.PdfSignatureMetadata(field_name="Visto", subfilter=fields.SigSeedSubFilter.PADES)
    style = stamp.TextStampStyle(stamp_text="Importe: 9999 EUR", border_width=0)
    spec = fields.SigFieldSpec("Visto", box=box)
    return signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki),
                             timestamper=samples.timestamper(pki), stamp_style=style,
                             new_field_spec=spec).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


def test_a_later_visible_signature_over_the_page_is_not_passed(verifier, pki, signed):
    forged = _sign_again(signed, pki, box=(0, 0, 595, 842))
    report = verifier.verify(forged)
    first, later = report.signatures
    assert later.conclusion.passed  # the added signature itself is sound
    assert (first.conclusion.indication.value, first.conclusion.sub_indication) == \
        ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert first.modifications.level == "form_filling"
    assert first.modifications.fields == ("Visto",)
    assert not report.conclusion.passed


def test_a_later_invisible_signature_still_passes(verifier, pki, signed):
    report = verifier.verify(_sign_again(signed, pki, box=None))
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "signatures"
    assert report.signatures[0].modifications.fields == ("Visto",)
