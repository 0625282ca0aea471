"""The agencies' API for documents prepared for a citizen's signature (`idp.documents.prepared`):
`POST /api/documents/prepared`, `GET` and `DELETE /api/documents/prepared/<id>`."""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from idp.documents import idempotency, prepared
from idp.documents.api import _agency, _idempotency_error, _service, _string, named_citizen
from idp.documents.models import PreparedDocument
from idp.oidc import protected
from idp.oidc.client_credentials import AgencyToken
from infra.db import get_db
from infra.idempotency import Claim, IdempotencyError, IdempotencyKeys, Replay
from infra.ops.metrics import count
from infra.utc import rfc3339
from infra.web.errors import ApiError
from infra.web.jsonapi import json_body
from infra.web.ratelimit import advertise
from signing.normalise import normalise
from signing.pdf_input import InvalidPdf

log = logging.getLogger(__name__)
bp = Blueprint("documents_prepared_api", __name__)
bp.after_request(advertise)  # RateLimit fields of the agency's (or address's) limit
bp.after_request(protected.offer_nonce)  # the DPoP nonce for the next proof (RFC 9449 section 9)


def _now() -> datetime:
    return datetime.now(UTC)


def _describe(row: PreparedDocument, now: datetime) -> dict:
    issuer = _service().issuer
    body = {"id": row.id, "status": prepared.status_at(row, now), "sha256": row.sha256,
            "file_name": row.file_name, "pages": row.pages, "size": row.size,
            "created_at": rfc3339(row.created_at), "expires_at": rfc3339(row.expires_at),
            "sign_url": f"{issuer}/account/sign/prepared/{row.id}"}
    if row.signed_document_id:
        body["signed_document_id"] = row.signed_document_id
        body["download_url"] = f"{issuer}/api/documents/{row.signed_document_id}/pdf"
    return body


def _days(body: dict) -> int:
    days = body.get("expires_in_days", prepared.DEFAULT_DAYS)
    if isinstance(days, float) and days.is_integer():  # 14.0: an integer in JSON Schema (6.1.1)
        days = int(days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= prepared.MAX_DAYS:
        raise ApiError(422, "invalid_data",
                       f"expires_in_days: an integer from 1 to {prepared.MAX_DAYS} is required")
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
    """Prepare a PDF for a citizen the agency knows by `subject` to sign; a retry with the
    first request's `Idempotency-Key` gets what it prepared (`idp.documents.idempotency`)."""
    agency = _agency()
    body = json_body()
    unknown = sorted(set(body) - {"subject", "file_name", "pdf", "expires_in_days"})
    if unknown:
        raise ApiError(422, "invalid_data", f"{unknown[0]}: this member is not accepted; send "
                       "subject, file_name, pdf and optionally expires_in_days")
    subject = str(_string(body, "subject"))
    file_name = str(_string(body, "file_name"))
    days = _days(body)
    keys = idempotency.idempotency_keys(current_app)
    try:
        claim = idempotency.begin(keys, client_id=agency.client_id, operation="prepared",
                                  header=request.headers.get(idempotency.HEADER), body=body)
    except IdempotencyError as exc:
        raise _idempotency_error(exc) from None
    if isinstance(claim, Replay):
        count("documents.prepare", "replayed")
        return _created(claim.result, replayed=True)
    try:
        with keys.working(claim) if claim is not None else nullcontext():
            result = _prepare(agency, body, subject=subject, file_name=file_name, days=days,
                              keys=keys, claim=claim)
    except BaseException:
        if claim is not None:
            keys.abandon(claim)  # nothing was prepared: a retry with this key may start at once
        raise
    count("documents.prepare", "ok")
    log.info("document prepared for signature", extra={"client_id": agency.client_id,
                                                       "prepared": result["id"]})
    return _created(result)


def _prepare(agency: AgencyToken, body: dict, *, subject: str, file_name: str, days: int,
             keys: IdempotencyKeys, claim: Claim | None) -> dict:
    """Prepare the document; what its creation response names besides the row (stored with
    the idempotency claim, in the row's transaction, for a retry to get the same answer)."""
    service = _service()
    # The signed document names the citizen (their certificate), as an issued one does.
    citizen_id = uuid.UUID(named_citizen(service, agency, subject, event="documents.prepare").id)
    try:  # what the citizen will see and sign: forms flattened, no active content
        normalised = normalise(_decode(body.get("pdf")), max_bytes=service.settings.max_bytes)
    except InvalidPdf as exc:
        count("documents.prepare", exc.key)
        raise ApiError(exc.status, exc.error, exc.message("en"), headers=_retry(exc)) from None
    result: dict = {"original_sha256": normalised.original_sha256,
                    "normalised": list(normalised.removed)}

    def complete(session: Session, row: PreparedDocument) -> None:
        result["id"] = row.id
        if claim is not None:
            keys.complete(session, claim, result)

    try:
        prepared.prepare(get_db(current_app), service.store, client_id=agency.client_id,
                         citizen_id=citizen_id, checked=normalised.checked, file_name=file_name,
                         days=days, now=_now(), then=complete)
    except IdempotencyError as exc:  # another request took the key over meanwhile
        raise _idempotency_error(exc) from None
    return result


def _created(result: dict, *, replayed: bool = False) -> Response:
    """201 with the prepared document as it is now and what its creation found."""
    with get_db(current_app).read() as session:
        row = session.get(PreparedDocument, str(result["id"]))
        body = _describe(row, _now()) if row is not None else {"id": result["id"]}
    response = jsonify(body | {"original_sha256": result["original_sha256"],
                               "normalised": result["normalised"]})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"  # its status changes, as GET's does
    response.headers["Location"] = f"{_service().issuer}/api/documents/prepared/{result['id']}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "No prepared document with this id was prepared by "
                    "this client.")


@bp.get("/api/documents/prepared/<prepared_id>")
def show(prepared_id: str) -> Response:
    agency = _agency()
    with get_db(current_app).read() as session:
        row = prepared.find(session, prepared_id, client_id=agency.client_id)
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
        row = prepared.find(session, prepared_id, client_id=agency.client_id)
        if row is None:
            raise _not_found()
        try:
            prepared.withdraw(session, row=row, now=now)
        except prepared.PreparedError as exc:
            raise ApiError(409, exc.code, str(exc).capitalize() + ".") from None
        session.flush()
        body = _describe(row, now)
    count("documents.prepared_withdrawn", "ok")
    return jsonify(body)


def _retry(exc: InvalidPdf) -> dict[str, str]:
    """Retry-After for a 503 (too many files being read at once)."""
    return {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
