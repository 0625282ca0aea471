"""Documents an agency prepares for one citizen to sign with a passkey.

The agency sends a PDF for a citizen it knows by `subject` (`POST /api/documents/prepared`,
client credentials token with `documents:issue`); the bytes go to the document store and a
`prepared_documents` row says whose it is and whether it is still waiting. The citizen sees
it under "My documents", opens it (`/account/sign/prepared/<id>`: the bytes enter the usual
pending-upload review and passkey confirmation) and, once signed, the agency reads the status
and downloads the signed PDF from `/api/documents/<signed id>/pdf`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, redirect
from sqlalchemy.orm import Session

from idp.documents import subjects
from idp.documents.api import _agency, _service, _string
from idp.documents.models import PreparedDocument
from idp.documents.uploads import Uploads
from idp.oidc import provider
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.errors import ApiError, error_page
from infra.web.i18n import gettext as _
from infra.web.jsonapi import json_body
from infra.web.ratelimit import hit
from signing.citizen_signature import clean_file_name
from signing.normalise import FOUND, normalise
from signing.pdf_input import CheckedPdf, InvalidPdf
from signing.service import new_document_id
from signing.store import DocumentNotStored

log = logging.getLogger(__name__)
bp = Blueprint("documents_prepared", __name__)
DEFAULT_DAYS = 14
MAX_DAYS = 90
JSON_OVERHEAD = 64 * 1024  # the other members and the JSON framing around the base64


# services ----------------------------------------------------------------------------------


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


def utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status_at(row: PreparedDocument, now: datetime) -> str:
    """The status as of `now`: a waiting document past its expiry is expired."""
    if row.status == "waiting" and utc(row.expires_at) <= now:
        return "expired"
    return row.status


def prepare(database, store, *, client_id: str, citizen_id: uuid.UUID, checked: CheckedPdf,
            file_name: str, days: int, now: datetime) -> PreparedDocument:
    """Store the PDF and its row in one transaction (the file is removed if the row fails)."""
    now = now.replace(microsecond=0)
    row = PreparedDocument(
        id=new_document_id(), client_id=client_id, citizen_id=citizen_id,
        sha256=checked.sha256, file_name=clean_file_name(file_name), pages=checked.pages,
        size=len(checked.data), created_at=now, expires_at=now + timedelta(days=days),
        status="waiting", signed_document_id=None)
    with store.staged(checked.data), database.transaction() as session:
        session.add(row)
    return row


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


def check_signable(row: PreparedDocument, *, now: datetime) -> None:
    status = status_at(row, now)
    if status != "waiting":
        raise PreparedError(status, f"this document is {status}, not waiting for a signature")


def mark_signed(session: Session, *, prepared_id: str, citizen_id: str, document_id: str,
                now: datetime) -> bool:
    """Record the signature, only if the row is still waiting and unexpired (one UPDATE)."""
    result = session.execute(
        sa.update(PreparedDocument)
        .where(PreparedDocument.id == prepared_id,
               PreparedDocument.citizen_id == uuid.UUID(str(citizen_id)),
               PreparedDocument.status == "waiting", PreparedDocument.expires_at > now)
        .values(status="signed", signed_document_id=document_id))
    return result.rowcount == 1


def waiting_for(session: Session, citizen_id: str, *, now: datetime) -> list[Waiting]:
    """What the citizen has yet to sign, soonest expiry first (one indexed query)."""
    rows = session.scalars(
        sa.select(PreparedDocument)
        .where(PreparedDocument.citizen_id == uuid.UUID(str(citizen_id)),
               PreparedDocument.status == "waiting", PreparedDocument.expires_at > now)
        .order_by(PreparedDocument.expires_at).limit(100))
    return [Waiting(id=row.id, client_id=row.client_id, file_name=row.file_name,
                    created_at=utc(row.created_at), expires_at=utc(row.expires_at))
            for row in rows]


# the agencies' API -------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _time(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")


def _describe(row: PreparedDocument, now: datetime) -> dict:
    issuer = _service().issuer
    body = {"id": row.id, "status": status_at(row, now), "sha256": row.sha256,
            "file_name": row.file_name, "pages": row.pages, "size": row.size,
            "created_at": _time(row.created_at), "expires_at": _time(row.expires_at),
            "sign_url": f"{issuer}/account/sign/prepared/{row.id}"}
    if row.signed_document_id:
        body["signed_document_id"] = row.signed_document_id
        body["download_url"] = f"{issuer}/api/documents/{row.signed_document_id}/pdf"
    return body


def _days(body: dict) -> int:
    days = body.get("expires_in_days", DEFAULT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ApiError(422, "invalid_data",
                       f"expires_in_days: an integer from 1 to {MAX_DAYS} is required")
    return days


def _decode(value: object) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "invalid_data", "pdf: the PDF is required, base64-encoded "
                       "(RFC 4648 section 4)")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid_data", "pdf: not valid base64 (RFC 4648 section 4, "
                       "alphabet A-Z a-z 0-9 + / with = padding)") from None


@bp.post("/api/documents/prepared")
def create() -> Response:
    """Prepare a PDF for a citizen the agency knows by `subject` to sign."""
    agency = _agency()
    body = json_body()
    unknown = sorted(set(body) - {"subject", "file_name", "pdf", "expires_in_days"})
    if unknown:
        raise ApiError(422, "invalid_data", f"{unknown[0]}: this member is not accepted; send "
                       "subject, file_name, pdf and optionally expires_in_days")
    subject = str(_string(body, "subject"))
    file_name = str(_string(body, "file_name"))
    days = _days(body)
    service = _service()
    with get_db(current_app).transaction() as session:
        citizen_id = subjects.resolve(session, provider(),
                                      client=agency.client, subject=subject)
    if citizen_id is None or service.directory.citizen(str(citizen_id)) is None:
        count("documents.prepare", "unknown_subject")
        raise ApiError(422, "invalid_data", "subject: no citizen is known to this client by "
                       "this subject; use the sub of the citizen's ID token for this client")
    try:  # what the citizen will see and sign: forms flattened, no active content
        normalised = normalise(_decode(body.get("pdf")), max_bytes=service.settings.max_bytes)
    except InvalidPdf as exc:
        count("documents.prepare", exc.key)
        raise ApiError(exc.status, exc.error, exc.message("en")) from None
    row = prepare(get_db(current_app), service.store, client_id=agency.client_id,
                  citizen_id=citizen_id, checked=normalised.checked, file_name=file_name,
                  days=days, now=_now())
    count("documents.prepare", "ok")
    log.info("document prepared for signature", extra={"client_id": agency.client_id,
                                                       "prepared": row.id})
    response = jsonify(_describe(row, _now()) | {
        "original_sha256": normalised.original_sha256, "normalised": list(normalised.removed)})
    response.status_code = 201
    response.headers["Location"] = f"{service.issuer}/api/documents/prepared/{row.id}"
    return response


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "No prepared document with this id was prepared by "
                    "this client.")


@bp.get("/api/documents/prepared/<prepared_id>")
def show(prepared_id: str) -> Response:
    agency = _agency()
    with get_db(current_app).read() as session:
        row = find(session, prepared_id, client_id=agency.client_id)
        if row is None:
            raise _not_found()
        response = jsonify(_describe(row, _now()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/api/documents/prepared/<prepared_id>")
def remove(prepared_id: str) -> Response:
    """Withdraw a document the citizen has not signed yet."""
    agency = _agency()
    now = _now()
    with get_db(current_app).transaction() as session:
        row = find(session, prepared_id, client_id=agency.client_id)
        if row is None:
            raise _not_found()
        try:
            withdraw(session, row=row, now=now)
        except PreparedError as exc:
            raise ApiError(409, exc.code, str(exc).capitalize() + ".") from None
        session.flush()
        body = _describe(row, now)
    count("documents.prepared_withdrawn", "ok")
    return jsonify(body)


# the citizen's side ------------------------------------------------------------------------


def _refusal(code: str) -> tuple[int, str]:
    return (410, "document_expired") if code == "expired" else (409, f"document_{code}")


@bp.get("/account/sign/prepared/<prepared_id>")
def open_for_signing(prepared_id: str) -> Response:
    """Put the prepared PDF into the pending-upload review, then show that review."""
    from idp.account import reauth
    from idp.documents.signing_gate import refused_page, signing_citizen

    session, refusal = signing_citizen()
    if refusal is not None:
        return refused_page(refusal)
    if not reauth.fresh(session):
        return reauth.recheck_redirect()
    now = _now()
    with get_db(current_app).read() as db:
        row = find(db, prepared_id, citizen_id=session.citizen_id)
        if row is None:
            return error_page(404, _("error.title.404"), _("mydocs.prepared.not_found"))
        status = status_at(row, now)
        client_id, sha256, file_name = row.client_id, row.sha256, row.file_name
        signed_id = row.signed_document_id
    if status == "signed" and signed_id:
        return redirect(f"/account/documents#doc-{signed_id}", code=303)
    if status != "waiting":
        return error_page(_refusal(status)[0], _("mydocs.prepared.unavailable"), _(f"mydocs.prepared.{status}"))
    hit("documents-upload", key=session.citizen_id, limit=30, window=3600)
    service = _service()
    try:  # rows from before normalisation hold the file as the agency sent it
        normalised = normalise(service.store.read(sha256), max_bytes=service.settings.max_bytes)
    except (DocumentNotStored, InvalidPdf) as exc:
        log.error("prepared document unreadable", extra={"prepared": prepared_id,
                                                         "error": str(exc)})
        return error_page(404, _("error.title.404"), _("mydocs.prepared.not_found"))
    checked = normalised.checked
    if normalised.original_sha256 != sha256:
        log.error("prepared document changed in the store", extra={"prepared": prepared_id})
        return error_page(404, _("error.title.404"), _("mydocs.prepared.not_found"))
    uploads = Uploads(service.store.root, ttl=service.settings.confirm_seconds)
    pending = uploads.put(get_store(current_app), citizen_id=session.citizen_id,
                          data=checked.data, file_name=file_name, pages=checked.pages,
                          signatures=checked.signatures, client_id=client_id,
                          prepared_id=prepared_id)
    count("documents.prepared_opened", "ok")
    return redirect(f"/account/sign/{pending.id}", code=303)


def ensure_signable(prepared_id: str, *, citizen_id: str) -> None:
    """Before a confirmation: 409 if withdrawn (or already signed), 410 if expired."""
    with get_db(current_app).read() as session:
        row = find(session, prepared_id, citizen_id=citizen_id)
        if row is None:
            raise ApiError(404, "not_found", _("mydocs.prepared.not_found"))
        try:
            check_signable(row, now=_now())
        except PreparedError as exc:
            status, error = _refusal(exc.code)
            count("documents.confirm", error)
            raise ApiError(status, error, _(f"mydocs.prepared.{exc.code}")) from None


def record_signature(prepared_id: str, *, citizen_id: str, document_id: str) -> None:
    """After the signature: the prepared document is signed, by `document_id`."""
    with get_db(current_app).transaction() as session:
        done = mark_signed(session, prepared_id=prepared_id, citizen_id=citizen_id,
                           document_id=document_id, now=_now())
    if not done:  # withdrawn or expired while the signature was being made
        log.warning("prepared document changed while being signed",
                    extra={"prepared": prepared_id, "document": document_id})


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_PREPARED = {"application/json": {"schema": {"$ref": "#/components/schemas/PreparedDocument"}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
_TOKEN = {"description": "missing, invalid or expired token", "content": _ERROR}
_MISSING = {"description": "not prepared by this client", "content": _ERROR}

OPENAPI_PATHS = {
    "/api/documents/prepared": {"post": {
        "summary": "Prepare a PDF for a citizen to sign with a passkey; client credentials "
                   "token with scope documents:issue",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/PrepareRequest"}}}},
        "responses": {
            "201": {"description": "waiting for the citizen's signature", "content": _PREPARED},
            "401": _TOKEN,
            "403": {"description": "insufficient_scope", "content": _ERROR},
            "413": {"description": "document_too_large: above [documents] max_bytes",
                    "content": _ERROR},
            "415": {"description": "not JSON", "content": _ERROR},
            "422": {"description": "invalid_data (bad member, unknown subject, bad base64) or "
                                   "invalid_document (not a PDF, damaged, encrypted)",
                    "content": _ERROR},
        },
    }},
    "/api/documents/prepared/{id}": {
        "get": {"summary": "Status of a prepared document; once signed, the signed "
                           "document's id and download URL",
                "security": [{"bearer": []}], "parameters": _ID,
                "responses": {"200": {"description": "the prepared document",
                                      "content": _PREPARED},
                              "401": _TOKEN, "404": _MISSING}},
        "delete": {"summary": "Withdraw a prepared document the citizen has not signed",
                   "security": [{"bearer": []}], "parameters": _ID,
                   "responses": {"200": {"description": "withdrawn", "content": _PREPARED},
                                 "401": _TOKEN, "404": _MISSING,
                                 "409": {"description": "not_waiting: signed, expired or "
                                                        "withdrawn already", "content": _ERROR}}},
    },
}

OPENAPI_SCHEMAS = {
    "PrepareRequest": {
        "type": "object", "additionalProperties": False,
        "required": ["subject", "file_name", "pdf"],
        "properties": {
            "subject": {"type": "string", "description": "the citizen's sub for this client"},
            "file_name": {"type": "string", "examples": ["contrato.pdf"]},
            "pdf": {"type": "string", "contentEncoding": "base64",
                    "contentMediaType": "application/pdf"},
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS,
                                "default": DEFAULT_DAYS},
        },
    },
    "PreparedDocument": {
        "type": "object",
        "required": ["id", "status", "sha256", "sign_url", "expires_at"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["waiting", "signed", "expired", "withdrawn"]},
            "sha256": {"type": "string", "description": "of the prepared PDF as the citizen "
                                                        "sees and signs it (normalised)"},
            "original_sha256": {"type": "string", "description": "of the PDF as sent (in the "
                                                                 "creation response only)"},
            "normalised": {"type": "array", "items": {"type": "string", "enum": list(FOUND)},
                "description": "what was removed or flattened before the citizen sees it "
                               "(in the creation response only)"},
            "file_name": {"type": "string"}, "pages": {"type": "integer"},
            "size": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "sign_url": {"type": "string", "format": "uri",
                         "description": "where the citizen signs it (send them this link)"},
            "signed_document_id": {"type": "string"},
            "download_url": {"type": "string", "format": "uri",
                             "description": "the signed PDF (GET with the same token)"},
        },
    },
}
