"""A citizen's own signature on a PDF: PAdES B-LT with a short-lived certificate naming them.

The caller (the identity provider) has already had the citizen confirm the document with a
passkey whose challenge committed to the document's SHA-256; this module refuses any file
whose digest is not the confirmed one, issues a certificate for this one signature (a fresh
key in the key store, issued by the issuing CA, ETSI EN 319 412-2 subject), signs in a new
incremental revision (signatures already in the file stay valid) and stores the result.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import keys
from signing import csv as verification_code
from signing.errors import SigningError
from signing.i18n import check_language, text
from signing.models import Document
from signing.pades import SignatureField
from signing.pdf_input import check_pdf
from signing.service import CitizenRef, DocumentService, new_document_id

LEVEL = "B-LT"


class NotConfirmed(SigningError):
    """The PDF is not the one the citizen confirmed with their passkey."""


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
    """ETSI EN 319 412-1, 5.1.3: "IDC" + country + "-" + the national identity card number."""
    return f"IDC{country}-{national_id}"


def sign(service: DocumentService, *, citizen: CitizenRef, pdf: bytes, confirmed_sha256: str,
         file_name: str, language: str = "es", client_id: str | None = None,
         now: datetime | None = None) -> SignedDocument:
    """Sign `pdf` for `citizen`, who confirmed exactly `confirmed_sha256`; store the result.

    Raises `InvalidPdf`, `NotConfirmed`, `SealError`, or a `keys.KeyStoreError`.
    """
    checked = check_pdf(pdf, max_bytes=service.settings.max_bytes)
    if not hmac.compare_digest(checked.sha256, str(confirmed_sha256).lower()):
        raise NotConfirmed(f"the passkey confirmed the document with SHA-256 "
                           f"{confirmed_sha256}, but this file has SHA-256 {checked.sha256}")
    language = check_language(language)
    issued = keys.issue_citizen_certificate(
        service.keys, given_name=citizen.given_name, surname=citizen.family_name,
        serial_number=semantic_identifier(country=service.country,
                                          national_id=citizen.national_id),
        lifetime=service.settings.citizen_certificate)
    signer = keys.CustodySigner(service.keys, issued)
    field = SignatureField(
        name=f"Signature-{secrets.token_hex(4)}",
        description=text("documents.signature.description", language, name=citizen.full_name))
    signed = service.sealer.sign(
        checked.data, signer=signer, level=LEVEL, field=field,
        reason=text("documents.signature.reason", language, name=citizen.full_name))
    issued_at = (now or signed.signed_at).astimezone(UTC).replace(microsecond=0)
    document_id = new_document_id()
    csv = verification_code.generate()
    name = clean_file_name(file_name)
    with service.store.staged(signed.pdf) as stored, service.database.transaction() as session:
        session.add(Document(
            id=document_id, csv=csv, sha256=stored.sha256, size=stored.size,
            kind="citizen-signed", template=None, client_id=client_id, subject=citizen.id,
            language=language, title=name.removesuffix(".pdf")[:200], file_name=name,
            issued_at=issued_at, level=LEVEL, signer_serial=signed.signer_serial,
            status="valid"))
        service.directory.record(session, event="signature.made", citizen_id=citizen.id,
                                 client_id=client_id, document_id=document_id)
    return SignedDocument(id=document_id, csv=csv, sha256=stored.sha256,
                          signed_from=checked.sha256, level=LEVEL,
                          signer_serial=signed.signer_serial, issued_at=issued_at,
                          file_name=name, size=stored.size)


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
