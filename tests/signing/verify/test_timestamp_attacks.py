"""Signature time-stamps that do not belong to the signature (ETSI EN 319 102-1, 5.4).

The signature time-stamp is an unsigned attribute: anyone can replace it without touching
the signature. A time-stamp taken over another signature (e.g. an older one, to backdate a
signature made after the signer's certificate was revoked) must fail, and the report must
say what is wrong: the time-stamp, not the document.
"""

from __future__ import annotations

from datetime import timedelta

from asn1crypto import cms

from tests.signing.verify import forgeries, samples


def _unsigned_attributes(pdf: bytes) -> cms.CMSAttributes:
    _, first, second, _ = forgeries._byte_range(pdf)
    info = cms.ContentInfo.load(bytes.fromhex(pdf[first + 1:second - 1].decode("ascii")))
    return info["content"]["signer_infos"][0]["unsigned_attrs"]


def _with_timestamp_of(pdf: bytes, other: bytes) -> bytes:
    """`pdf` with its signature time-stamp replaced by `other`'s (same gap, same signature)."""
    stolen = _unsigned_attributes(other)

    def graft(info):
        info["content"]["signer_infos"][0]["unsigned_attrs"] = stolen
        return info

    return forgeries._replace_cms(pdf, graft)


def test_a_time_stamp_of_another_signature_fails_and_says_so(verifier, pki):
    signer = samples.signer_for(pki.revoked, pki)
    before_revocation = samples.sign(samples.blank_pdf(text="Otro documento"), signer,
                                     stamper=samples.timestamper(pki, pki.revoked_at -
                                                                 timedelta(days=1)))
    after = samples.sign(samples.blank_pdf(), signer, stamper=samples.timestamper(pki))
    forged = _with_timestamp_of(after, before_revocation)
    report = verifier.verify(forged)
    sig = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "HASH_FAILURE")
    assert sig.timestamp is not None and not sig.timestamp.valid
    assert sig.modifications.level == "none"  # the document itself is what was signed
    # It used to say "it was changed after signing", next to "nothing was changed".
    assert sig.reason == "timestamp_hash_failure"
    assert "time-stamp" in sig.message("en") and "changed after" not in sig.message("en")
    assert "sello de tiempo" in sig.message("es")


def test_a_changed_document_is_still_said_to_be_changed(verifier, pki):
    """The document's own digest failing keeps the words for a changed document."""
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    first = forgeries._byte_range(signed)[1]
    at = signed.rindex(b"Importe: 100 EUR", 0, first)
    forged = signed[:at] + b"Importe: 900 EUR" + signed[at + 16:]
    sig = verifier.verify(forged).signatures[0]
    assert (sig.conclusion.sub_indication, sig.reason) == ("HASH_FAILURE", "hash_failure")


def test_cedula_verify_does_not_show_a_failed_time_stamp_as_a_fact(verifier, pki):
    """The page marks such a time-stamp "(not valid)" and the signing time "(as declared)";
    `cedula verify`'s text printed both as plain facts."""
    from signing.verify.cli import render_text

    signer = samples.signer_for(pki.signer, pki)
    other = samples.sign(samples.blank_pdf(text="Otro documento"), signer,
                         stamper=samples.timestamper(pki, samples.NOW - timedelta(days=300)))
    forged = _with_timestamp_of(samples.sign(samples.blank_pdf(), signer,
                                             stamper=samples.timestamper(pki)), other)
    lines = render_text(verifier.verify(forged), "en").splitlines()
    stamp = next(line for line in lines if "time-stamp:" in line)
    assert stamp.endswith("(not valid)")
    assert any(line.startswith("  signing time (as declared):") for line in lines)
    good = render_text(verifier.verify(other), "en")
    assert "(not valid)" not in good
