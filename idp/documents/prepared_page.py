"""The citizen's side of documents prepared for their signature (`idp.documents.prepared`):
`/account/sign/prepared/<id>` puts the PDF into the pending-upload review; the confirmation
pages (`idp.documents.pages`) ask here whether it is still signable and record the signature."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from idp.documents import prepared
from idp.documents.api import _service
from idp.documents.issuing import may_name
from idp.documents.models import PreparedDocument
from idp.documents.prepared import find, refusal_status, status_at
from idp.documents.signing_gate import refused_page, signing_citizen
from idp.documents.uploads import Uploads
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.errors import ApiError, error_page
from infra.web.i18n import gettext as _
from infra.web.ratelimit import hit
from signing.normalise import normalise
from signing.pdf_input import InvalidPdf
from signing.store import DocumentNotStored

log = logging.getLogger(__name__)
bp = Blueprint("documents_prepared", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _refusal(session: Session, *, client_id: str, citizen_id: str) -> str | None:
    """Why the agency may not receive the signed document now (None: it may). It names the
    citizen (their certificate), so: `agency_suspended` while an operator has disabled the
    agency (typically its keys or staff were compromised: what it prepared waits, unsigned,
    until it is enabled again or expires); `consent_required` unless a law or the citizen's
    standing consent allows it (as for issuing), or when the agency is gone."""
    from clients.registry import ClientNotFound, find_client

    try:
        client = find_client(session, client_id, enabled_only=False)
    except ClientNotFound:
        return "consent_required"
    if not client.enabled:
        return "agency_suspended"
    return None if may_name(session, client, citizen_id) else "consent_required"


def _refused(code: str) -> ApiError:
    count("documents.confirm", code)
    return ApiError(403, code, _(f"mydocs.prepared.{code}"))


@bp.get("/account/sign/prepared/<prepared_id>")
def open_for_signing(prepared_id: str) -> BaseResponse:
    """Put the prepared PDF into the pending-upload review, then show that review."""
    from idp.account import reauth

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
        return error_page(refusal_status(status)[0], _("mydocs.prepared.unavailable"), _(f"mydocs.prepared.{status}"))
    with get_db(current_app).read() as db:
        refused = _refusal(db, client_id=client_id, citizen_id=session.citizen_id)
    if refused is not None:
        count("documents.prepared_opened", refused)
        return error_page(403, _("mydocs.prepared.unavailable"), _(f"mydocs.prepared.{refused}"))
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
    """Before a confirmation: 409 if withdrawn (or already signed), 410 if expired, 403
    `agency_suspended` or `consent_required` if the agency may not receive, now, a document
    naming the citizen (`_refusal`)."""
    with get_db(current_app).read() as session:
        row = prepared.find(session, prepared_id, citizen_id=citizen_id)
        if row is None:
            raise ApiError(404, "not_found", _("mydocs.prepared.not_found"))
        try:
            prepared.check_signable(row, now=datetime.now(UTC))
        except prepared.PreparedError as exc:
            status, error = prepared.refusal_status(exc.code)
            count("documents.confirm", error)
            raise ApiError(status, error, _(f"mydocs.prepared.{exc.code}")) from None
        refusal = _refusal(session, client_id=row.client_id, citizen_id=citizen_id)
        if refusal is not None:
            raise _refused(refusal)


def link_signature(session: Session, prepared_id: str, *, citizen_id: str,
                   document_id: str) -> None:
    """In the signature's transaction: the prepared document is signed by `document_id`, or
    `ApiError` (409 withdrawn or already signed, 410 expired, 404 gone, 403 the agency was
    suspended or lost the citizen's consent), which rolls the transaction back: neither the signed document's row
    nor its file is kept."""
    # A column read (no ORM row in the session: the UPDATE below would evaluate against it)
    client_id = session.scalar(sa.select(PreparedDocument.client_id)
                               .where(PreparedDocument.id == prepared_id))
    if client_id is not None:  # an operator's suspension commits before or after this one
        from clients.registry import Client

        session.execute(sa.select(Client.id).where(Client.client_id == client_id)
                        .with_for_update(read=True))
    refusal = None if client_id is None else _refusal(session, client_id=client_id,
                                                       citizen_id=citizen_id)
    if refusal is not None:
        log.warning("agency suspended or consent withdrawn while a prepared document was being "
                    "signed: nothing stored", extra={"prepared": prepared_id, "refusal": refusal})
        raise _refused(refusal)
    try:
        prepared.link_signature(session, prepared_id=prepared_id, citizen_id=citizen_id,
                                document_id=document_id, now=_now())
    except prepared.PreparedError as exc:
        log.warning("prepared document changed while being signed: nothing stored",
                    extra={"prepared": prepared_id, "status": exc.code})
        if exc.code == "not_found":
            raise ApiError(404, "not_found", _("mydocs.prepared.not_found")) from None
        status, error = prepared.refusal_status(exc.code)
        count("documents.confirm", error)
        raise ApiError(status, error, _(f"mydocs.prepared.{exc.code}.while_signing")) from None
