"""An agency withdraws a document it issued: revoked (with date and reason) or superseded.

The seal on the PDF stays cryptographically valid: a revoked document still verifies as
signed by the agency, and the report says the agency revoked it, when and why.
Each call is one database transaction, the row locked while it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from infra.db import Database
from signing.models import Document
from signing.verify.errors import IssuedDocumentNotFound, RevocationRefused, VerificationError

MAX_REASON = 200


class InvalidReason(VerificationError):
    """The reason is missing or too long."""

    error = "invalid_request"
    status = 400


@dataclass(frozen=True)
class StatusChange:
    id: str
    csv: str
    status: str
    revoked_at: datetime | None
    reason: str | None
    superseded_by: str | None


def _reason(reason: str) -> str:
    cleaned = " ".join(str(reason or "").split())
    if not cleaned:
        raise InvalidReason("A reason is required: say why the document is withdrawn.")
    if len(cleaned) > MAX_REASON:
        raise InvalidReason(f"The reason has {len(cleaned)} characters; at most {MAX_REASON} "
                            "are allowed.")
    return cleaned


def _locked(session: Session, document_id: str, client_id: str | None) -> Document:
    row = session.get(Document, document_id, with_for_update=True) \
        if isinstance(document_id, str) and 0 < len(document_id) <= 32 else None
    # Someone else's document is "not found" too: nothing is revealed about it.
    if row is None or row.kind != "sealed" or (client_id is not None and
                                               row.client_id != client_id):
        raise IssuedDocumentNotFound(f"No document with id {document_id!r} was issued by this agency.")
    return row


def _result(row: Document) -> StatusChange:
    return StatusChange(row.id, row.csv, row.status, row.revoked_at, row.revocation_reason,
                        row.superseded_by)


def revoke(database: Database, *, document_id: str, reason: str, now: datetime,
           client_id: str | None = None) -> StatusChange:
    """Revoke a document; `client_id` limits it to that agency's documents (None: operator)."""
    cleaned = _reason(reason)
    with database.transaction() as session:
        row = _locked(session, document_id, client_id)
        if row.status == "revoked":
            raise RevocationRefused(f"Document {row.id} was already revoked on "
                                    f"{row.revoked_at:%Y-%m-%d %H:%M} UTC.")
        row.status = "revoked"
        row.revoked_at = now.replace(microsecond=0)
        row.revocation_reason = cleaned
        session.flush()
        return _result(row)


def supersede(database: Database, *, document_id: str, replacement_id: str, now: datetime,
              reason: str | None = None, client_id: str | None = None) -> StatusChange:
    """Mark a document as replaced by a newer one the same agency issued: to the same
    citizen, with the same template, and itself valid; otherwise a verifier of the old one
    would be sent to a document about someone (or something) else."""
    cleaned = _reason(reason) if reason else None
    with database.transaction() as session:
        row = _locked(session, document_id, client_id)
        newer = _locked(session, replacement_id, row.client_id)
        if newer.id == row.id:
            raise RevocationRefused("A document cannot replace itself.")
        if row.status != "valid":
            raise RevocationRefused(f"Document {row.id} is already {row.status}.")
        if newer.subject != row.subject:
            raise RevocationRefused(f"Document {newer.id} was issued to another citizen than "
                                    f"document {row.id}: a replacement names the same citizen.")
        if newer.template != row.template:
            raise RevocationRefused(f"Document {newer.id} has template {newer.template!r}, not "
                                    f"{row.template!r}: a replacement is the same kind of document.")
        if newer.status != "valid":
            raise RevocationRefused(f"Document {newer.id} is {newer.status}: a replacement must "
                                    "be valid.")
        row.status = "superseded"
        row.superseded_by = newer.id
        row.revoked_at = now.replace(microsecond=0)
        row.revocation_reason = cleaned
        session.flush()
        return _result(row)
