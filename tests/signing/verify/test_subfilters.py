"""Obsolete signature formats (ISO 32000-2, 12.8.3: /adbe.pkcs7.sha1 and /adbe.x509.rsa_sha1
are deprecated) are said to be obsolete, not malformed or forged (`signing.verify.subfilters`)."""

from __future__ import annotations

import pytest
from asn1crypto import core

from tests.signing.verify import forgeries


def _with_subfilter(pdf: bytes, subfilter: bytes) -> bytes:
    """`pdf` with its signature's /SubFilter renamed in place (same length, so the byte range
    still frames the same gap; the signature no longer matches, which must not matter)."""
    current = b"/ETSI.CAdES.detached"
    assert pdf.count(current) == 1 and len(subfilter) <= len(current)
    return pdf.replace(current, subfilter.ljust(len(current)))


def _with_pkcs1_value(pdf: bytes) -> bytes:
    """/Contents holding what /adbe.x509.rsa_sha1 holds: a DER OCTET STRING, no CMS."""
    _, first, second, _ = forgeries._byte_range(pdf)
    value = core.OctetString(b"\x5a" * 256).dump().hex().encode()
    width = second - first - 2
    return pdf[:first + 1] + value + b"0" * (width - len(value)) + pdf[second - 1:]


@pytest.mark.parametrize("subfilter, contents", [
    (b"/adbe.pkcs7.sha1", None), (b"/adbe.x509.rsa_sha1", _with_pkcs1_value)],
    ids=["pkcs7.sha1", "x509.rsa_sha1"])
def test_an_obsolete_sha1_format_is_named_not_called_malformed(verifier, signed, subfilter,
                                                                contents):
    """It used to be TOTAL-FAILED/FORMAT_FAILURE, "the signature is malformed", with "the
    signed part does not match the file's structure", none of which was examined."""
    pdf = _with_subfilter(signed, subfilter)
    if contents is not None:
        pdf = contents(pdf)
    report = verifier.verify(pdf)
    sig = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")
    assert sig.reason == "obsolete_format" and "old format" in sig.message("en")
    assert sig.modifications.level == "not_examined"
    assert "no se ha examinado" in sig.modifications.explanation("es").lower()


def test_an_unknown_format_is_still_a_format_failure(verifier, signed):
    sig = verifier.verify(_with_subfilter(signed, b"/x.unknown")).signatures[0]
    assert (sig.conclusion.indication.value, sig.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert sig.modifications.level == "not_examined"


def test_an_unreadable_cms_does_not_claim_a_structural_finding(verifier, signed):
    sig = verifier.verify(forgeries.without_signer_certificate(signed)).signatures[0]
    assert sig.reason == "format_failure" and sig.modifications.level == "not_examined"
