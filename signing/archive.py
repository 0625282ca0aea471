"""Archive time-stamps: stored B-LTA documents kept verifiable for decades.

A PAdES B-LTA document stays verifiable while its last document time-stamp does: once the
certificate of that time-stamp's authority (or a CA above it) expires, or its digest algorithm
weakens, nothing proves any more that the signatures and the validation data existed while
they were valid. Before that happens, a new revision adds the validation data of the last
time-stamp (certificates, OCSP responses, CRLs in the DSS) and a fresh document time-stamp
over everything (ETSI EN 319 142-1, 5.5 "PAdES-LTA" and Annex A.3; ETSI TS 119 511 /
CIR (EU) 2025/1946 on preserving signatures with time-stamps and validation data).

`renew_all` is what `cedula documents renew-lta` and the periodic task run. It is idempotent
and safe to run in several processes at once: a document is due only while its last
time-stamp's chain is within `[documents] archive_renew_before_days` of expiring, and the new
bytes replace the stored ones only if nobody renewed them in between (the row is locked and
its hash compared).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

import keys
from infra.leases import Lease, Leases
from infra.ops.background import Singleton
from signing.errors import SigningError
from signing.models import Document
from signing.pdf_parsing import DECODE_LIMITS
from signing.service import DocumentService

log = logging.getLogger(__name__)
LEVEL = "B-LTA"
WEAK_DIGESTS = frozenset({"md5", "sha1", "sha224"})  # ETSI TS 119 312: not for new stamps


class _Changed(SigningError):
    """The document changed while its renewal was made: another process renewed it."""


@dataclass(frozen=True)
class Due:
    reason: str  # "expiring" | "weak_algorithm" | "no_timestamp"
    expires: datetime | None = None


@dataclass
class RenewalReport:
    checked: int = 0
    renewed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _chain_end(token_certs: list[asn1_x509.Certificate], signer: asn1_x509.Certificate,
               known: list[asn1_x509.Certificate]) -> datetime:
    """The earliest notAfter on the way from the time-stamp's signer to its root, with the
    certificates in the token and those this service knows (by subject)."""
    by_subject: dict[bytes, list[asn1_x509.Certificate]] = {}
    for cert in (*token_certs, *known):
        by_subject.setdefault(cert.subject.dump(), []).append(cert)
    end: datetime = signer.not_valid_after
    current = signer
    for _ in range(8):
        if current.self_signed != "no":
            break
        issuers = by_subject.get(current.issuer.dump())
        if not issuers:
            break
        current = max(issuers, key=lambda c: c.not_valid_after)  # a renewed CA counts
        end = min(end, current.not_valid_after)
    return end


def due(pdf: bytes, *, now: datetime, horizon: timedelta,
        known: list[asn1_x509.Certificate]) -> Due | None:
    """Whether the document needs a new archive time-stamp now, and why."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False, decode_limits=DECODE_LIMITS)
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return Due("no_timestamp")
    last = stamps[-1]
    tst_info = last.signed_data["encap_content_info"]["content"].parsed
    if tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native in WEAK_DIGESTS:
        return Due("weak_algorithm")
    token_certs = [c.chosen for c in last.signed_data["certificates"] or []
                   if c.name == "certificate"]
    expires = _chain_end(token_certs, last.signer_cert, known)
    if expires - now <= horizon:
        return Due("expiring", expires)
    return None


def reach(service: DocumentService) -> datetime:
    """How long a document time-stamp made now stays verifiable: the earliest notAfter of the
    TSA's chain (its certificate never outlives the issuing CA, nor that the root)."""
    material = service.keys.pki.material()
    ends: list[datetime] = [getattr(material, name).certificate.not_valid_after for name in ("tsa", "issuing", "root")]
    return min(ends)


def _known(service: DocumentService) -> list[asn1_x509.Certificate]:
    material = service.keys.pki.material()
    return [material.root.certificate, material.issuing.certificate, material.tsa.certificate]


def timestamp_again(service: DocumentService, pdf: bytes) -> bytes:
    """`pdf` with the last time-stamp's validation data and a new document time-stamp."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False, decode_limits=DECODE_LIMITS)
    stamps = reader.embedded_timestamp_signatures
    certificates = [stamps[-1].signer_cert] if stamps else []
    context = keys.validation_context(service.keys, certificates=certificates, crls=("root",))
    stamper = PdfTimeStamper(keys.InProcessTimeStamper(service.keys))
    out = stamper.update_archival_timestamp_chain(reader, context, in_place=False)
    stamped: bytes = out.getvalue()
    return stamped


def renew_document(service: DocumentService, document_id: str, *, now: datetime,
                   horizon: timedelta) -> Due | None:
    """Renew one document if it is due; its reason, or None when nothing was done."""
    with service.database.read() as session:
        row = session.get(Document, document_id)
        if row is None or row.level != LEVEL:
            return None
        sha256 = row.sha256
    pdf = service.store.read(sha256)
    reason = due(pdf, now=now, horizon=horizon, known=_known(service))
    if reason is None:
        return None
    if reason.expires is not None and reach(service) <= reason.expires:
        return None  # a new time-stamp would end with the last one: it proves nothing longer
    renewed = timestamp_again(service, pdf)
    try:
        with service.store.staged(renewed, service.database) as (stored, session):
            row = session.get(Document, document_id, with_for_update=True)
            if row is None or row.sha256 != sha256:
                raise _Changed(document_id)
            row.sha256, row.size = stored.sha256, stored.size
    except _Changed:
        return None
    log.info("archive time-stamp added", extra={"document": document_id,
                                                "reason": reason.reason,
                                                "sha256": stored.sha256})
    return reason


def prepare_authority(service: DocumentService, *, now: datetime, horizon: timedelta) -> None:
    """A time-stamp made now must outlive the horizon: renew the TSA certificate first if it
    would not (it renews itself only `[pki] renew_before_days` ahead), unless the issuing CA
    ends with it (a successor would end then too: the issuing CA is renewed first, a root
    ceremony that `cedula pki status` asks for), or the issuing CA is revoked (nothing is issued
    under it: `keys.service_certificates`; the TSA grants nothing either)."""
    pki = service.keys.pki
    material = pki.material()
    tsa_end = material.tsa.certificate.not_valid_after
    if tsa_end - now > horizon:
        return
    if pki.issuing_revocation() is not None:
        log.warning("archive time-stamps wait for a new PKI: the issuing CA is revoked (docs/pki.md, Revocation)",
                    extra={"expires": tsa_end.isoformat()})
        return
    if material.issuing.certificate.not_valid_after <= tsa_end:
        log.warning("archive time-stamps wait for the issuing CA's renewal (cedula pki renew issuing)",
                    extra={"expires": tsa_end.isoformat()})
        return
    pki.renew("tsa", now, only_if_due=False)


def renew_all(service: DocumentService, *, now: datetime, horizon: timedelta,
              limit: int | None = None) -> RenewalReport:
    """Add an archive time-stamp to every stored B-LTA document that is due."""
    report = RenewalReport()
    prepare_authority(service, now=now, horizon=horizon)
    with service.database.read() as session:
        ids = list(session.scalars(sa.select(Document.id).where(Document.level == LEVEL)
                                   .order_by(Document.issued_at).limit(limit)))
    for document_id in ids:
        report.checked += 1
        try:
            if renew_document(service, document_id, now=now, horizon=horizon) is not None:
                report.renewed.append(document_id)
        except Exception as exc:  # one broken document must not stop the others
            log.error("archive time-stamp failed", extra={"document": document_id,
                                                          "error": str(exc)})
            report.failed.append((document_id, f"{type(exc).__name__}: {exc}"))
    return report


class ArchiveRenewal(Singleton):
    """The periodic task: `renew_all` every `[documents] archive_renew_hours`, on one process of
    the cluster at a time (a lease; another node takes over when the holder dies). A run that
    overlaps with `cedula documents renew-lta` is harmless: each renewal checks its row."""

    name = "cedula-archive-timestamps"
    LEASE = "documents-archive-renewal"

    def __init__(self, service: DocumentService, *, seconds: float, horizon: timedelta,
                 leases: Leases, holder: str | None = None) -> None:
        super().__init__(seconds=seconds, leases=leases, lease_name=self.LEASE, holder=holder)
        self.service = service
        self.horizon = horizon

    def run(self, lease: Lease) -> None:
        report = renew_all(self.service, now=self.service.keys.now(), horizon=self.horizon)
        if report.renewed or report.failed:
            log.info("archive time-stamps run", extra={"checked": report.checked,
                                                       "renewed": len(report.renewed),
                                                       "failed": len(report.failed)})
