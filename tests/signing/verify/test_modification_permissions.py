"""DocMDP and FieldMDP permissions (ISO 32000-1, 12.8.2.2-12.8.2.4, 12.7.4.5 /Lock) broken by
a revision added after signing."""

from __future__ import annotations

import io
from unittest import mock

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm

from tests.signing.verify import forgeries, samples


def _sign(pdf: bytes, pki, *, field: str = "Firma", certify: bool = False,
          perms: MDPPerm = MDPPerm.FILL_FORMS) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
                                        certify=certify, docmdp_permissions=perms)
    return signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki),
                             timestamper=samples.timestamper(pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


def _locked_form() -> bytes:
    """A form with a text field `Nota` and an empty signature field whose /Lock locks every
    field once signed."""
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf(with_field=True)))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        "Firma", field_mdp_spec=FieldMDPSpec(FieldMDPAction.ALL)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_field_locked_by_lock_alone_then_filled_in_fails(verifier, pki):
    """ISO 32000-1, 12.7.4.5, Table 232: the /Lock of a signature field names the fields that
    are locked once it is signed. Not every signer repeats it as a FieldMDP /Reference in the
    signature dictionary, and pyHanko reads only the /Reference: a locked field filled in after
    signing was "a change of the view" (INDETERMINATE) instead of a forbidden change."""
    from pyhanko.sign.signers import pdf_signer

    with mock.patch.object(pdf_signer.FieldMDPSpec, "from_pdf_object",
                           side_effect=KeyError("/Lock")):  # a signer that writes no /Reference
        signed = _sign(_locked_form(), pki)
    assert b"/FieldMDP" not in signed and b"/Lock" in signed
    assert verifier.verify(signed).conclusion.passed
    report = verifier.verify(forgeries.shadow_hide_form(signed))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert report.signatures[0].modifications.level == "other"


def test_a_field_locked_with_a_reference_then_filled_in_fails(verifier, pki):
    signed = _sign(_locked_form(), pki)
    assert b"/FieldMDP" in signed
    report = verifier.verify(forgeries.shadow_hide_form(signed))
    assert report.conclusion.sub_indication == "FORMAT_FAILURE"


def test_a_lock_that_leaves_the_field_open_keeps_form_filling_a_constraint(verifier, pki):
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf(with_field=True)))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        "Firma", field_mdp_spec=FieldMDPSpec(FieldMDPAction.EXCLUDE, fields=["Nota"])))
    out = io.BytesIO()
    writer.write(out)
    from pyhanko.sign.signers import pdf_signer

    with mock.patch.object(pdf_signer.FieldMDPSpec, "from_pdf_object",
                           side_effect=KeyError("/Lock")):
        signed = _sign(out.getvalue(), pki)
    report = verifier.verify(forgeries.shadow_hide_form(signed))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")


def test_certified_no_changes_then_a_later_signature_fails(verifier, pki):
    """P=1 (ISO 32000-1, Table 254): no change at all, not even a signature (pyHanko refuses to
    make one; a forger is not so polite)."""
    from pyhanko.sign import validation

    certified = _sign(samples.blank_pdf(), pki, certify=True, perms=MDPPerm.NO_CHANGES)
    assert verifier.verify(certified).conclusion.passed
    with mock.patch.object(validation, "read_certification_data", return_value=None):
        forged = _sign(certified, pki, field="Visto")
    report = verifier.verify(forged)
    first, later = report.signatures
    assert (first.conclusion.indication.value, first.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert later.conclusion.passed and not report.conclusion.passed


def test_certified_form_filling_then_an_annotation_fails(verifier, pki):
    certified = _sign(samples.blank_pdf(), pki, certify=True, perms=MDPPerm.FILL_FORMS)
    report = verifier.verify(forgeries.shadow_hide_annotation(certified))
    assert report.conclusion.sub_indication == "FORMAT_FAILURE"
