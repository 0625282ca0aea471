"""Certification attacks (Mainka et al., "Breaking the Specification: PDF Certification",
IEEE S&P 2021): a certified document (DocMDP P=1, 2 or 3) followed by an update the
permissions seem to allow but that changes what is shown: Evil Annotation (an annotation
whose appearance covers the text), Sneaky Signature (a later signature, or an empty signature
field, whose widget draws over the page), a new form field with its own appearance.

None of them may be reported valid, by the service in-process or by POST /api/verify.
"""

from __future__ import annotations

import io

import pytest
from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_attack_shadow import overlay_annotation

PERMISSIONS = {1: MDPPerm.NO_CHANGES, 2: MDPPerm.FILL_FORMS, 3: MDPPerm.ANNOTATE}


@pytest.fixture(scope="module")
def certified(pki) -> dict[int, bytes]:
    out = {}
    for level, permission in PERMISSIONS.items():
        meta = signers.PdfSignatureMetadata(field_name="Certificacion",
                                            subfilter=fields.SigSeedSubFilter.PADES,
                                            certify=True, docmdp_permissions=permission)
        out[level] = signers.PdfSigner(
            meta, signer=samples.signer_for(pki.signer, pki),
            timestamper=samples.timestamper(pki)).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))).getvalue()
    return out


class _Attacker(signers.PdfSigner):
    """pyHanko refuses to sign what a certification forbids; an attacker does not ask."""

    def _enforce_certification_constraints(self, reader):
        return None


def sneaky_signature(pki, *, box=(0, 0, 595, 842)):
    def attack(pdf: bytes) -> bytes:
        meta = signers.PdfSignatureMetadata(field_name="Visto",
                                            subfilter=fields.SigSeedSubFilter.PADES)
        style = stamp.TextStampStyle(stamp_text="Importe: 9999 EUR", border_width=0)
        return _Attacker(meta, signer=samples.signer_for(pki.signer, pki),
                         timestamper=samples.timestamper(pki), stamp_style=style,
                         new_field_spec=fields.SigFieldSpec("Visto", box=box)).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()
    attack.__name__ = "sneaky_signature" if box else "invisible_signature"
    return attack


def empty_signature_field(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("Vacio", box=(60, 740, 400, 800)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def new_text_field(pdf: bytes) -> bytes:
    """A new text field whose appearance paints over the amount."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    ref, page, _box, appearance = kit.amount_painted_over(writer)
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Tx"),
        N("/T"): generic.TextStringObject("Importe"), N("/P"): ref,
        N("/V"): generic.TextStringObject("9999 EUR"),
        N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (70, 750, 370, 790)]),
        N("/AP"): generic.DictionaryObject({N("/N"): appearance})}))
    return kit.with_widget(writer, page, widget)


def _attacks(pki):
    return [overlay_annotation, sneaky_signature(pki), empty_signature_field, new_text_field]


@pytest.mark.parametrize("level", sorted(PERMISSIONS))
@pytest.mark.parametrize("index", range(4), ids=["evil_annotation", "sneaky_signature",
                                                 "empty_signature_field", "new_text_field"])
def test_what_a_certification_seems_to_allow_is_not_valid(verifier, pki, certified, level,
                                                          index):
    attack = _attacks(pki)[index]
    report = verifier.verify(attack(certified[level]))
    certification = next(s for s in report.signatures if s.field == "Certificacion")
    assert (certification.conclusion.indication.value,
            certification.conclusion.sub_indication) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert (certification.reason, certification.modifications.level) == ("modified", "other")
    assert report.verdict.value == "not_valid"


@pytest.mark.parametrize("level", [1])
def test_no_changes_means_no_later_signature_either(verifier, pki, certified, level):
    report = verifier.verify(sneaky_signature(pki, box=None)(certified[level]))
    assert report.verdict.value == "not_valid"


@pytest.mark.parametrize("level", [2, 3])
def test_an_invisible_later_signature_is_what_the_certification_allows(verifier, pki,
                                                                       certified, level):
    report = verifier.verify(sneaky_signature(pki, box=None)(certified[level]))
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "signatures"


def test_the_api_refuses_them_too(client, verifier, pki, certified):
    for attack in _attacks(pki):
        kit.assert_refused_over_http(client, verifier, attack(certified[2]), reason="modified",
                                     level="other")
