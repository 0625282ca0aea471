"""The PAdES baseline level a signature reaches (ETSI EN 319 142-1 V1.1.1, clause 6).

- B-B (6.3): a CAdES-detached signature (`/SubFilter /ETSI.CAdES.detached`) that binds the
  signing certificate (ESS signing-certificate(-v2) signed attribute).
- B-T (6.4): B-B plus a time-stamp proving the signature existed: a signature time-stamp
  (unsigned attribute) or a document time-stamp over the signed revision.
- B-LT (6.5): B-T plus the validation data in the Document Security Store: for every
  certificate of the signer's chain below the trust anchor, and of the signature
  time-stamp's authority's chain (EN 319 102-1, 5.5: it is validated as a signer is), a CRL
  of its issuer or an OCSP response about it.
- B-LTA (6.6): B-LT plus a document time-stamp over that validation data.

Where the DSS is does not matter, only what each document time-stamp covers: in the signed
revision (pyHanko's default; Cédula's seals before 2026-12), in a later revision of its own
(Cédula's B-LT now), or in the document time-stamp's own revision (Cédula's B-LTA now:
`signing.pades`).

Signatures with `/adbe.pkcs7.detached` are valid PDF signatures but no PAdES baseline: None.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from asn1crypto.core import Void
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from signing.verify.compromise import ocsp_answers, signed_by

PADES_SUBFILTER = "/ETSI.CAdES.detached"
_SIGNING_CERTIFICATE = ("signing_certificate_v2", "signing_certificate")


def _attribute_types(attrs: Any) -> set[str]:
    if isinstance(attrs, Void):  # absent (never `.native`: that parses every token inside)
        return set()
    return {attr["type"].native for attr in attrs}


def has_signature_timestamp(embedded: EmbeddedPdfSignature) -> bool:
    """A signature time-stamp unsigned attribute (RFC 3161 Appendix A) is present."""
    types = _attribute_types(embedded.signer_info["unsigned_attrs"])
    return "signature_time_stamp_token" in types


def _binds_certificate(embedded: EmbeddedPdfSignature) -> bool:
    types = _attribute_types(embedded.signer_info["signed_attrs"])
    return bool(types.intersection(_SIGNING_CERTIFICATE))


class _Dss:
    """The CRLs and OCSP responses of one Document Security Store."""

    def __init__(self, dss: DocumentSecurityStore) -> None:
        self.crls: dict[bytes, list[asn1_crl.CertificateList]] = {}
        self.ocsps: list[asn1_ocsp.OCSPResponse] = []
        for ref in dss.crls:
            crl = asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
            self.crls.setdefault(crl.issuer.dump(), []).append(crl)
        for ref in dss.ocsps:
            response = asn1_ocsp.OCSPResponse.load(
                ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            if response.basic_ocsp_response is not None:
                self.ocsps.append(response)

    def covers(self, chain: Sequence[asn1_x509.Certificate]) -> bool:
        """Validation data for every certificate of `chain` (leaf first, anchor excluded)."""
        for cert, issuer in pairwise(chain):
            # a CRL the issuer really signed (RFC 5280, 6.3.3 (f)), not one of its name only
            if any(signed_by(crl, issuer) for crl in self.crls.get(cert.issuer.dump(), ())):
                continue
            if not any(ocsp_answers(response, cert, issuer) for response in self.ocsps):
                return False
        return bool(chain)


def _dss_at(reader: PdfFileReader, revision: int | None) -> _Dss | None:
    handler = reader if revision is None else reader.get_historical_resolver(revision)
    try:
        return _Dss(DocumentSecurityStore.read_dss(handler))
    except NoDSSFoundError:
        return None


def _covers(dss: _Dss, chain: Sequence[asn1_x509.Certificate],
            timestamp_chain: Sequence[asn1_x509.Certificate]) -> bool:
    """The DSS validates the signer and, if it has one, its signature time-stamp's authority
    (EN 319 142-1, 6.3: the validation data of the signature, its time-stamp included)."""
    return dss.covers(chain) and (not timestamp_chain or dss.covers(timestamp_chain))


def pades_level(*, embedded: EmbeddedPdfSignature, chain: Sequence[asn1_x509.Certificate],
                document_timestamps: Sequence[EmbeddedPdfSignature],
                signature_timestamp_valid: bool = True,
                timestamp_chain: Sequence[asn1_x509.Certificate] = ()) -> str | None:
    """The highest baseline level reached: "B-B", "B-T", "B-LT", "B-LTA" or None.

    `chain`: the signer's certificate path, leaf first, ending with the trust anchor;
    `timestamp_chain`: the signature time-stamp's authority's path, likewise (empty: none).
    `document_timestamps`: the document's /DocTimeStamp signatures (any order) that were
    validated; `signature_timestamp_valid`: whether the signature's own time-stamp was.
    A time-stamp that does not validate proves nothing (EN 319 142-1, 6.4: B-T needs a
    time-stamp *proving* the signature existed): anyone can append one from a TSA nobody
    trusts, and it must not lift a B-B signature to B-T or a B-LT one to B-LTA.
    """
    if embedded.sig_object.get("/SubFilter") != PADES_SUBFILTER or \
            not _binds_certificate(embedded):
        return None
    later = sorted((ts for ts in document_timestamps
                    if ts.signed_revision > embedded.signed_revision),
                   key=lambda ts: ts.signed_revision)
    if not (has_signature_timestamp(embedded) and signature_timestamp_valid) and not later:
        return "B-B"
    dss = _dss_at(embedded.reader, None)
    if dss is None or len(chain) < 2 or not _covers(dss, chain, timestamp_chain):
        return "B-T"
    for timestamp in later:
        covered = _dss_at(embedded.reader, timestamp.signed_revision)
        if covered is not None and _covers(covered, chain, timestamp_chain):
            return "B-LTA"
    return "B-LT"
