"""Documents an agency prepares for one citizen to sign with a passkey: the services (no Flask).

The agency sends a PDF for a citizen it knows by `subject` (`POST /api/documents/prepared`,
client credentials token with `documents:issue`); the bytes go to the document store and a
`prepared_documents` row says whose it is and whether it is still waiting. The citizen sees
it under "My documents", opens it (`/account/sign/prepared/<id>`: the bytes enter the usual
pending-upload review and passkey confirmation) and, once signed, the agency reads the status
and downloads the signed PDF from `/api/documents/<signed id>/pdf`.

Roles: this module (rules and rows), `prepared_api` (the agencies' API), `prepared_page` (the
citizen's side), `openapi` (PREPARED_PATHS, PREPARED_SCHEMAS).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.documents.models import PreparedDocument
from infra.db import Database
from infra.utc import as_utc
from signing.citizen_signature import clean_file_name
from signing.pdf_input import CheckedPdf
from signing.service import new_document_id
from signing.store import DocumentStore

DEFAULT_DAYS = 14
MAX_DAYS = 90
JSON_OVERHEAD = 64 * 1024  # the other members and the JSON framing around the base64


class PreparedError(Exception):
    """A prepared document that cannot be used as asked; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Waiting:
    id: str
    client_id: str
    file_name: str
    created_at: datetime
    expires_at: datetime


def body_limit(max_bytes: int) -> int:
    """Largest request body: the base64 of a `max_bytes` PDF (RFC 4648 section 4) and JSON."""
    return (max_bytes + 2) // 3 * 4 + JSON_OVERHEAD


def status_at(row: PreparedDocument, now: datetime) -> str:
    """The status as of `now`: a waiting document past its expiry is expired."""
    if row.status == "waiting" and as_utc(row.expires_at) <= now:
        return "expired"
    return row.status


def prepare(database: Database, store: DocumentStore, *, client_id: str, citizen_id: uuid.UUID, checked: CheckedPdf,
            file_name: str, days: int, now: datetime,
            then: Callable[[Session, PreparedDocument], None] | None = None) -> PreparedDocument:
    """Store the PDF and its row in one transaction (the file is removed if the row fails);
    `then` runs in that transaction (the request's idempotency key completed with the row)."""
    now = now.replace(microsecond=0)
    row = PreparedDocument(
        id=new_document_id(), client_id=client_id, citizen_id=citizen_id,
        sha256=checked.sha256, file_name=clean_file_name(file_name), pages=checked.pages,
        size=len(checked.data), created_at=now, expires_at=now + timedelta(days=days),
        status="waiting", signed_document_id=None)
    with store.staged(checked.data, database) as (_, session):
        session.add(row)
        if then is not None:
            session.flush()
            then(session, row)
    return row


def references(session: Session, sha256: str) -> bool:
    """Whether a prepared document's bytes are stored under `sha256` (registered with the
    document store, which then never removes them: `signing.store.DocumentStore.discard`)."""
    return session.scalar(sa.select(PreparedDocument.id)
                          .where(PreparedDocument.sha256 == sha256).limit(1)) is not None


def find(session: Session, prepared_id: str, *, client_id: str | None = None,
         citizen_id: str | None = None) -> PreparedDocument | None:
    """The row, only if it belongs to `client_id` / `citizen_id` when given."""
    if not isinstance(prepared_id, str) or not 10 <= len(prepared_id) <= 32:
        return None
    row = session.get(PreparedDocument, prepared_id)
    if row is None or (client_id is not None and row.client_id != client_id) or (
            citizen_id is not None and str(row.citizen_id) != str(citizen_id)):
        return None
    return row


def withdraw(session: Session, *, row: PreparedDocument, now: datetime) -> None:
    status = status_at(row, now)
    if status != "waiting":
        raise PreparedError("not_waiting", f"this document is {status}; only a document "
                            "waiting for the citizen's signature can be withdrawn")
    row.status = "withdrawn"


def decline_waiting(session: Session, *, citizen_id: uuid.UUID, client_id: str, now: datetime) -> int:
    """In the transaction that withdraws the citizen's consent to `client_id`: what that agency
    still waits for (unexpired) becomes `declined`, so the agency sees a final state and the
    citizen's list no longer shows what cannot be signed. How many."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(PreparedDocument)
        .where(PreparedDocument.citizen_id == citizen_id, PreparedDocument.client_id == client_id,
               PreparedDocument.status == "waiting", PreparedDocument.expires_at > now)
        .values(status="declined")))
    return result.rowcount


def withdraw_of_client(session: Session, *, client_id: str, now: datetime) -> int:
    """In the transaction that deletes the agency's registration (RFC 7592 section 2.3): what it
    still waits for (unexpired) becomes `withdrawn`, as if it had withdrawn each, so an operator
    who enables the client again brings none of it back (unlike a suspension, which leaves it
    waiting). How many."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(PreparedDocument)
        .where(PreparedDocument.client_id == client_id, PreparedDocument.status == "waiting",
               PreparedDocument.expires_at > now)
        .values(status="withdrawn")))
    return result.rowcount


def refusal_status(code: str) -> tuple[int, str]:
    """The HTTP status and error code of a document that cannot be signed (expired: gone)."""
    return (410, "document_expired") if code == "expired" else (409, f"document_{code}")


def check_signable(row: PreparedDocument, *, now: datetime) -> None:
    status = status_at(row, now)
    if status != "waiting":
        raise PreparedError(status, f"this document is {status}, not waiting for a signature")


def mark_signed(session: Session, *, prepared_id: str, citizen_id: str, document_id: str,
                now: datetime) -> bool:
    """Record the signature, only if the row is still waiting and unexpired (one UPDATE)."""
    # A Core UPDATE executes to a CursorResult (Session.execute is typed with the base Result).
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(PreparedDocument)
        .where(PreparedDocument.id == prepared_id,
               PreparedDocument.citizen_id == uuid.UUID(str(citizen_id)),
               PreparedDocument.status == "waiting", PreparedDocument.expires_at > now)
        .values(status="signed", signed_document_id=document_id)))
    return result.rowcount == 1


def link_signature(session: Session, *, prepared_id: str, citizen_id: str, document_id: str,
                   now: datetime) -> None:
    """In the transaction that stores the signed document: the prepared document is signed by
    `document_id`. Raises `PreparedError` (code: its status, or "not_found") if it was withdrawn,
    expired or signed meanwhile, so that the caller's transaction stores nothing."""
    if mark_signed(session, prepared_id=prepared_id, citizen_id=citizen_id,
                   document_id=document_id, now=now):
        return
    row = find(session, prepared_id, citizen_id=citizen_id)
    if row is None:
        raise PreparedError("not_found", "this prepared document no longer exists")
    status = status_at(row, now)
    code = "expired" if status == "waiting" else status  # expired between the UPDATE and now
    raise PreparedError(code, f"this document became {code} while it was being signed")


def waiting_for(session: Session, citizen_id: str, *, now: datetime) -> list[Waiting]:
    """What the citizen has yet to sign, soonest expiry first (one indexed query)."""
    rows = session.scalars(
        sa.select(PreparedDocument)
        .where(PreparedDocument.citizen_id == uuid.UUID(str(citizen_id)),
               PreparedDocument.status == "waiting", PreparedDocument.expires_at > now)
        .order_by(PreparedDocument.expires_at).limit(100))
    return [Waiting(id=row.id, client_id=row.client_id, file_name=row.file_name,
                    created_at=as_utc(row.created_at), expires_at=as_utc(row.expires_at))
            for row in rows]
