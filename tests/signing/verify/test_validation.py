"""Indications for good, untrusted, revoked, expired, unreadable and forged PDFs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import forgeries, samples


def _only(report):
    assert len(report.signatures) == 1
    return report.signatures[0]


def test_valid_signature_passes(verifier, signed, pki):
    report = verifier.verify(signed)
    sig = _only(report)
    assert (report.indication.value, report.conclusion.sub_indication) == ("TOTAL-PASSED", None)
    assert sig.signer.name == "Ana López" and sig.signer.organization == "Otra Autoridad"
    assert sig.level == "B-T"
    assert sig.timestamp.authority == "Otra TSA" and sig.timestamp.valid
    assert sig.trust_anchor.sha256 == pki.root.asn1.sha256.hex()
    assert "Ana López" in sig.chain[0].subject and len(sig.chain) == 3
    assert sig.revocation.status == "good"
    assert sig.covers_whole_document and sig.modifications.level == "none"


def test_basic_signature_without_timestamp_passes(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    sig = _only(verifier.verify(pdf))
    assert sig.conclusion.passed and sig.level == "B-B" and sig.timestamp is None


def test_unknown_ca(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(),
                       samples.signer_for(pki.stranger, pki, chain=(pki.stranger_root,)),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert _only(report).trust_anchor is None


def test_revoked_before_signing_with_signature_timestamp(verifier, pki):
    """The signature time-stamp (after the revocation) proves no earlier existence."""
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                       stamper=samples.timestamper(pki, pki.revoked_at + timedelta(days=1)))
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "REVOKED_NO_POE")
    assert _only(report).revocation.status == "revoked"
    assert _only(report).revocation.revoked_at == pki.revoked_at


def test_revoked_before_signing_proven_by_content_timestamp(verifier, pki):
    """A content time-stamp after the revocation proves the signature came later (5.3.4)."""
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                       stamper=samples.timestamper(pki, pki.revoked_at + timedelta(days=1)),
                       content_timestamp=True)
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "REVOKED")


def test_expired_certificate_without_timestamp(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.expired, pki))
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")


def test_no_signature(verifier):
    report = verifier.verify(samples.blank_pdf())
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "NO_SIGNATURE_FOUND")
    assert report.signatures == ()


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"GIF89a not a pdf at all", "not_pdf"),
    (b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024), "file_too_large"),
])
def test_unreadable_inputs(verifier, data, code):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(data)
    assert info.value.error == code


def test_truncated(verifier, signed):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(forgeries.truncated(signed))
    assert info.value.error == "damaged_pdf"


def test_encrypted(verifier):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(samples.blank_pdf(encrypt=True))
    assert info.value.error == "encrypted_pdf"


# attacks: each gets its indication, never TOTAL-PASSED ----------------------------------

ATTACKS = [
    ("signed", forgeries.incremental_saving, "TOTAL-FAILED", "FORMAT_FAILURE", "other"),
    ("signed", forgeries.appended_garbage, "TOTAL-FAILED", "FORMAT_FAILURE", "appended"),
    ("signed", forgeries.signature_wrapping, "TOTAL-FAILED", "FORMAT_FAILURE", "unclear"),
    ("signed_with_field", forgeries.shadow_hide_form, "INDETERMINATE",
     "SIG_CONSTRAINTS_FAILURE", "form_filling"),
    # pyHanko's policy accepts no annotation added by rewriting the signed page: OTHER.
    ("signed", forgeries.shadow_hide_annotation, "TOTAL-FAILED", "FORMAT_FAILURE", "other"),
    ("signed", forgeries.shadow_replace, "TOTAL-FAILED", "FORMAT_FAILURE", "other"),
    ("signed_with_hidden", forgeries.shadow_hide_and_replace, "TOTAL-FAILED", "FORMAT_FAILURE",
     "other"),
]


@pytest.mark.parametrize(("fixture", "attack", "indication", "sub", "level"), ATTACKS,
                         ids=[a[1].__name__ for a in ATTACKS])
def test_attacks(request, verifier, fixture, attack, indication, sub, level):
    original = request.getfixturevalue(fixture)
    assert verifier.verify(original).conclusion.passed  # the untouched file is fine
    report = verifier.verify(attack(original))
    sig = _only(report)
    assert (report.indication.value, report.conclusion.sub_indication) == (indication, sub)
    assert sig.modifications.level == level
    assert not sig.covers_whole_document


def test_modification_explained_in_both_languages(verifier, signed_with_field):
    report = verifier.verify(forgeries.shadow_hide_form(signed_with_field))
    mods = _only(report).modifications
    assert mods.fields == ("Nota",)
    assert "«Nota»" in mods.explanation("en") and "form fields" in mods.explanation("en")
    assert "campos del formulario" in mods.explanation("es")


def test_timestamp_before_certificate_is_not_passed(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki, samples.NOW - timedelta(days=365)))
    assert not verifier.verify(pdf).conclusion.passed
