"""A citizen's own signature on a PDF: PAdES B-LT with a short-lived certificate naming them.

The caller (the identity provider) has already had the citizen approve the document with a
passkey whose challenge committed to the document's SHA-256, and passes that verified
assertion as an `Approval`. This module refuses any file the approval is not for, or an
approval below `documents.minimum_signing_level` (defence in depth: the pages gate on it
too), issues a certificate for this one signature (a fresh key in the key store, issued by
the issuing CA, ETSI EN 319 412-2 subject, the approval's level as certificate policy),
signs in a new incremental revision with the approval as a signed attribute (signatures
already in the file stay valid), destroys the key, and stores the result.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

import keys
from infra.indicators import tally
from keys.policies import LEVELS
from signing import csv as verification_code
from signing.approval import Approval, ApprovalAttributes, ApprovalError
from signing.errors import SigningError
from signing.i18n import check_language, text
from signing.models import Document
from signing.normalise import require_normalised
from signing.pades import SealError, SignatureField
from signing.pdf_input import check_pdf, parsing
from signing.service import CitizenRef, DocumentService, new_document_id
from signing.store import StoredFile

LEVEL = "B-LT"
log = logging.getLogger(__name__)


class NotConfirmed(SigningError):
    """The PDF is not the one the citizen confirmed with their passkey."""


class LevelTooLow(SigningError):
    """The sign-in that approved the signature is below `documents.minimum_signing_level`."""


@dataclass(frozen=True)
class SignedDocument:
    id: str
    csv: str
    sha256: str
    """Of the signed PDF."""
    signed_from: str
    """SHA-256 of the PDF the citizen confirmed."""
    level: str
    signer_serial: str
    issued_at: datetime
    file_name: str
    size: int


def semantic_identifier(*, country: str, national_id: str) -> str:
    """ETSI EN 319 412-1, 5.1.3: "IDC" + country + "-" + the national identity card number,
    `country` being the one that issued the number (`CitizenRef.national_id_country`), which
    need not be the CA's."""
    return f"IDC{country}-{national_id}"


def check_approval(approval: Approval, *, document: bytes, minimum_level: str) -> None:
    """`NotConfirmed` unless `approval` is a user-verified approval of exactly `document`;
    `LevelTooLow` below `minimum_level`."""
    try:
        approval.check_for(document)
    except ApprovalError as exc:
        raise NotConfirmed(str(exc)) from None
    if LEVELS.index(approval.level) < LEVELS.index(minimum_level):
        raise LevelTooLow(f"signing needs a sign-in at level {minimum_level} or higher; "
                          f"this one was {approval.level}")


@dataclass(frozen=True)
class SignedPdf:
    """A citizen-signed PDF, not stored yet (`store` records it in the caller's transaction)."""

    id: str
    csv: str
    pdf: bytes
    signed_from: str
    signer_serial: str
    issued_at: datetime
    file_name: str
    citizen_id: str
    client_id: str | None
    language: str
    identified: bool = True
    """Whether the certificate carries the citizen's national ID (its semantic identifier)."""


def sign(service: DocumentService, *, citizen: CitizenRef, pdf: bytes, approval: Approval,
         file_name: str, language: str = "es", client_id: str | None = None,
         now: datetime | None = None, national_id: bool = True) -> SignedDocument:
    """Sign `pdf` for `citizen` (`sign_pdf`) and store it (`store`) in one transaction of its
    own, for callers that record nothing else (tests). The identity provider's pages own that
    transaction instead (`sign_pdf`, then `store` and their data-sharing log entry): nothing
    here calls the identity provider back."""
    signed = sign_pdf(service, citizen=citizen, pdf=pdf, approval=approval, file_name=file_name,
                      language=language, client_id=client_id, now=now, national_id=national_id)
    with service.store.staged(signed.pdf, service.database) as (stored, session):
        return store(session, signed, stored)


def sign_pdf(service: DocumentService, *, citizen: CitizenRef, pdf: bytes, approval: Approval,
             file_name: str, language: str = "es", client_id: str | None = None,
             now: datetime | None = None, national_id: bool = True) -> SignedPdf:
    """Sign `pdf` for `citizen`, who approved exactly these bytes with `approval`.

    `national_id`: whether the certificate of a proofed citizen names their national ID (the
    semantic identifier); False when the signed PDF goes to an agency that may not learn it
    (the caller decides: a restricted claim, `idp.documents.issuing.may_learn_national_id`).

    `pdf` must be normalised (`signing.normalise`): forms flattened, no active content;
    otherwise `InvalidPdf("not_normalised")`. Raises `InvalidPdf`, `NotConfirmed`, `LevelTooLow`, `SealError`
    (also when no certificate may be issued: a revoked issuing CA), or a `keys.KeyStoreError`.
    The one-time key is destroyed whatever happens once it exists.
    Nothing is stored: `store` does that, in the caller's transaction.
    """
    checked = check_pdf(pdf, max_bytes=service.settings.max_bytes)
    require_normalised(checked.data)
    check_approval(approval, document=checked.data,
                   minimum_level=service.settings.minimum_signing_level)
    language = check_language(language)
    identified = national_id and approval.level != "low"
    try:
        issued = keys.issue_citizen_certificate(
            service.keys, given_name=citizen.given_name, surname=citizen.family_name,
            serial_number=semantic_identifier(country=citizen.national_id_country or service.country,
                                              national_id=citizen.national_id) if identified else None,
            level=approval.level, lifetime=service.settings.citizen_certificate, identified=identified)
    except keys.KeyNotFound as exc:  # no issuing CA may certify the signer (keys.revoked_ca)
        raise SealError(str(exc)) from None
    try:
        signer = keys.CustodySigner(service.keys, issued)
        signer.signed_attr_prov_spec = ApprovalAttributes(
            signing_cert=issued.certificate, approval=approval, approved_length=len(checked.data))
        field = SignatureField(
            name=f"Signature-{secrets.token_hex(4)}",
            description=text("documents.signature.description", language,
                             name=citizen.full_name))
        with parsing(len(checked.data)):  # the citizen's file is read again to sign it (its DSS, its fields)
            signed = service.sealer.sign(
                checked.data, signer=signer, level=LEVEL, field=field,
                reason=text("documents.signature.reason", language, name=citizen.full_name))
    finally:
        keys.destroy_key(service.keys, issued)
    issued_at = (now or signed.signed_at).astimezone(UTC).replace(microsecond=0)
    return SignedPdf(id=new_document_id(), csv=verification_code.generate(), pdf=signed.pdf,
                     signed_from=checked.sha256, signer_serial=signed.signer_serial,
                     issued_at=issued_at, file_name=clean_file_name(file_name),
                     citizen_id=citizen.id, client_id=client_id, language=language,
                     identified=identified)


def store(session: Session, signed: SignedPdf, stored: StoredFile) -> SignedDocument:
    """Record a citizen-signed PDF whose bytes are `stored` (`DocumentStore.staged`), in the
    caller's transaction: its `Document` row and the count of signatures made."""
    name = signed.file_name
    session.add(Document(
        id=signed.id, csv=signed.csv, sha256=stored.sha256, size=stored.size,
        kind="citizen-signed", template=None, client_id=signed.client_id, subject=signed.citizen_id,
        language=signed.language, title=name.removesuffix(".pdf")[:200], file_name=name,
        issued_at=signed.issued_at, level=LEVEL, signer_serial=signed.signer_serial,
        status="valid"))
    tally(session, "signature.made", agency=signed.client_id)
    return SignedDocument(id=signed.id, csv=signed.csv, sha256=stored.sha256,
                          signed_from=signed.signed_from, level=LEVEL,
                          signer_serial=signed.signer_serial, issued_at=signed.issued_at,
                          file_name=name, size=stored.size)


def revoke_certificates_of(session: Session, key_service: keys.KeyService, subject: str, *,
                           reason: str, invalidity_date: datetime | None,
                           now: datetime) -> tuple[str, ...]:
    """Revoke at the CA, in the caller's transaction, the one-time certificates that signed the
    PDFs of the citizen `subject` (the internal id), whatever their documents' status: the CRL
    and the OCSP responder then say revoked with `reason` and `invalidity_date` (RFC 5280,
    5.3.1 and 5.3.2) to every verifier, not only Cédula's. `keys.revoke_certificates`: those
    already revoked keep their revocation. Returns the serials revoked now."""
    serials = session.scalars(sa.select(Document.signer_serial).where(
        Document.subject == subject, Document.kind == "citizen-signed")).all()
    revoked = keys.revoke_certificates(key_service, session, serials=serials, role="citizen",
                                       reason=reason, invalidity_date=invalidity_date, now=now)
    return tuple(status.serial for status in revoked)


def clean_file_name(name: str | None) -> str:
    """A safe display and download name ending in .pdf (no paths, no control characters)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>:|?*').strip(" .")
    if not base.lower().endswith(".pdf"):
        base = f"{base or 'document'}.pdf"
    if len(base) > 120:
        base = base[:116] + ".pdf"
    return base


def utc_now() -> datetime:
    return datetime.now(UTC)
