"""What a validated signature's certificates and pyHanko's status say, as the report shows
it: the chain (leaf first) and its anchor, the signer's identity, a certificate's details, the
signature time-stamp and the revocation status. Names come from the file: anyone writes them,
so they are shown through `signing.verify.shown`."""

from __future__ import annotations

from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import generic_cms
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import TimestampSignatureStatus

from signing.verify.report import CertificateInfo, Conclusion, Revocation, SignerIdentity, TimestampInfo
from signing.verify.shown import shown, shown_or_none


def chain_of(status: Any, signer: asn1_x509.Certificate
           ) -> tuple[list[asn1_x509.Certificate], asn1_x509.Certificate | None]:
    path = getattr(status, "validation_path", None) if status is not None else None
    if path is None:
        return [signer], None
    certs = list(path.iter_certs(include_root=True))
    if certs and certs[0].sha256 != signer.sha256:
        certs.reverse()  # leaf first
    anchor = certs[-1] if len(certs) > 1 or certs[0].self_signed else None
    return certs, anchor


def subject_name(name: asn1_x509.Name) -> str:
    """The name to show for a certificate's subject (`shown`: anyone writes it)."""
    values = name.native
    return shown_or_none(values.get("common_name") or values.get("organization_name")) or \
        shown(name.human_friendly)


def certificate_info(cert: asn1_x509.Certificate) -> CertificateInfo:
    name = subject_name(cert.subject)
    organization = shown_or_none(cert.subject.native.get("organization_name"))
    return CertificateInfo(subject=shown(cert.subject.human_friendly),
                           issuer=shown(cert.issuer.human_friendly),
                           serial=format(cert.serial_number, "x"),
                           not_before=cert.not_valid_before, not_after=cert.not_valid_after,
                           sha256=cert.sha256.hex(),
                           shown_as=f"{name} ({organization})"
                           if organization and organization != name else name)


def signer_identity(cert: asn1_x509.Certificate) -> SignerIdentity:
    subject = cert.subject.native
    return SignerIdentity(name=subject_name(cert.subject),
                          organization=shown_or_none(subject.get("organization_name")),
                          organization_identifier=shown_or_none(
                              subject.get("organization_identifier")),
                          serial_number=shown_or_none(subject.get("serial_number")),
                          certificate=certificate_info(cert))


def timestamp_info(embedded: EmbeddedPdfSignature, result: Any) -> TimestampInfo | None:
    """The signature time-stamp as the report shows it. A SignerInfo may carry several
    (EN 319 122-1, 5.3): pyHanko uses the first that validates, so a valid one's time and
    authority are those of the token `result` validated, never another token's (a second
    time-stamp smuggled into the unsigned attributes, from an unknown authority or over
    another signature, was shown with the valid one's verdict)."""
    tokens = list(generic_cms.extract_tst_data_iter(embedded.signer_info, signed=False))
    if not tokens:
        return None
    valid = result is not None and result.ades_subindic == AdESPassed.OK
    status = _timestamp_status(result) if valid else None
    if status is not None:
        return TimestampInfo(time=status.timestamp,
                             authority=subject_name(status.signing_cert.subject), valid=True)
    token: cms.SignedData = tokens[0]
    when = token["encap_content_info"]["content"].parsed["gen_time"].native
    tsa = generic_cms.extract_certs_for_validation(token).signer_cert
    return TimestampInfo(time=when, authority=subject_name(tsa.subject),
                         valid=valid and len(tokens) == 1)


def _timestamp_status(result: Any) -> TimestampSignatureStatus | None:
    """The time-stamp's own status in a pyHanko result: a time-stamp's validation, or a
    signature's validation with time (its status's `timestamp_validity`)."""
    status = getattr(result, "api_status", None)
    if isinstance(status, TimestampSignatureStatus):
        return status
    stamp = getattr(status, "timestamp_validity", None)
    return stamp if isinstance(stamp, TimestampSignatureStatus) else None


def timestamp_chain(embedded: EmbeddedPdfSignature, result: Any) -> list[asn1_x509.Certificate]:
    """The validated signature time-stamp's authority and its path, leaf first, ending with
    the trust anchor; empty when the time-stamp is absent or did not validate."""
    info = timestamp_info(embedded, result)
    status = _timestamp_status(result) if info is not None and info.valid else None
    if status is None:
        return []
    return chain_of(status, status.signing_cert)[0]


def revocation_of(status: Any, cryptographic: Conclusion) -> Revocation:
    details = getattr(status, "revocation_details", None) if status is not None else None
    if details is not None:
        return Revocation("revoked", details.revocation_date, details.revocation_reason.native)
    if cryptographic.passed:
        return Revocation("good")
    return Revocation("unknown")
