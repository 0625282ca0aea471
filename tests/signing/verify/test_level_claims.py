"""The PAdES level a signature is reported at is backed by time-stamps that validate.

ETSI EN 319 142-1, 6.4: B-T is B-B plus a time-stamp *proving* the signature existed at a
time; 6.6: B-LTA adds a document time-stamp over the validation data. Anyone can append a
document time-stamp from a TSA nobody trusts (the verification lists it as not valid and
judges the signature without it): the level used to count it anyway, so a basic signature
read "PAdES B-T" and a B-LT one "PAdES B-LTA" on the page and in `cedula verify`.
"""

from __future__ import annotations

import io

from pyhanko.sign.validation.dss import DocumentSecurityStore

from tests.signing.verify import samples
from tests.signing.verify.test_compromise import document_timestamp, stranger_tsa  # noqa: F401


def _with_dss(pdf: bytes, pki, crls=None) -> bytes:
    """The issuing CA's CRL (or `crls`) and certificates appended in a DSS revision (as anyone
    may)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    _name, value, _field = next(enumerate_sig_fields(reader, filled_status=True))
    contents = value.get_object().raw_get("/Contents").original_bytes
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, contents, certs=[pki.issuing.asn1, pki.root.asn1],
                                  crls=list(pki.crls if crls is None else crls),
                                  force_write=True)
    return out.getvalue()


def test_an_untrusted_document_timestamp_does_not_make_a_basic_signature_b_t(
        verifier, pki, stranger_tsa):  # noqa: F811
    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    assert verifier.verify(basic).signatures[0].level == "B-B"
    report = verifier.verify(document_timestamp(basic, stranger_tsa))
    sig = report.signatures[0]
    assert report.conclusion.passed and not report.document_timestamps[0].valid
    assert sig.proven_time is None
    assert sig.level == "B-B"


def test_an_untrusted_document_timestamp_does_not_make_b_lt_b_lta(verifier, pki, signed,
                                                                  stranger_tsa):  # noqa: F811
    with_dss = _with_dss(signed, pki)
    assert verifier.verify(with_dss).signatures[0].level == "B-LT"
    report = verifier.verify(document_timestamp(with_dss, stranger_tsa))
    assert report.conclusion.passed and not report.document_timestamps[0].valid
    assert report.signatures[0].level == "B-LT"


def test_a_trusted_document_timestamp_still_does(verifier, pki, signed):
    with_dss = _with_dss(signed, pki)
    report = verifier.verify(document_timestamp(with_dss, samples.timestamper(pki)))
    assert report.document_timestamps[0].valid
    assert report.signatures[0].level == "B-LTA"


def test_a_crl_in_the_issuers_name_but_not_signed_by_it_is_no_validation_data(verifier, pki,
                                                                             signed):
    """B-LT (EN 319 142-1, 6.5) needs the validation data of the chain: a CRL that carries the
    issuing CA's name but is signed by another key (RFC 5280, 6.3.3 (f)) is none."""
    impostor = samples._issue("Otra CA emisora", None, ca=True, not_before=samples.NOW,
                              not_after=samples.NOW + samples.timedelta(days=30))
    root_crl = samples._crl(pki.root, [])
    forged = _with_dss(signed, pki, crls=[samples._crl(impostor, []), root_crl])
    report = verifier.verify(forged)
    assert report.conclusion.passed
    assert report.signatures[0].level == "B-T"
