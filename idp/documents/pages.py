"""The citizen's pages: "My documents" (list, download) and signing a PDF with a passkey."""

from __future__ import annotations

import logging
import os
import time
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from idp.account import reauth, sign_ins
from idp.assurance.levels import Level, at_least
from idp.documents import confirmation, prepared, prepared_page
from idp.documents.api import pdf_response
from idp.documents.issuing import record_signed, signature_recipient_may_learn_national_id
from idp.documents.signing_gate import api_refusal, refused_page, signing_citizen
from idp.documents.uploads import Upload, Uploads
from idp.sessions import current_session, require_citizen
from idp.webauthn import relying_party
from idp.webauthn.errors import CloneSuspected, WebAuthnError
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.csrf import validate_csrf
from infra.web.errors import ApiError
from infra.web.i18n import current_language
from infra.web.i18n import gettext as _
from infra.web.jsonapi import json_body
from infra.web.ratelimit import hit
from signing import citizen_signature
from signing.approval import Approval
from signing.errors import SigningError
from signing.normalise import normalise
from signing.pdf_input import InvalidPdf, check_size, human_size
from signing.service import DocumentNotFound, DocumentService, get_documents

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)
UPLOAD_OVERHEAD = 64 * 1024  # multipart framing and the other form fields


def _service() -> DocumentService:
    return get_documents(current_app)


def _uploads() -> Uploads:
    service = _service()
    return Uploads(service.store.root, ttl=service.settings.confirm_seconds)


@bp.before_request
def _limit_body() -> None:
    if request.method == "POST" and request.path == "/account/sign":
        request.max_content_length = _service().settings.max_bytes + UPLOAD_OVERHEAD


@bp.get("/account/documents")
def my_documents() -> str:
    session = require_citizen()
    service = _service()
    documents = service.for_subject(session.citizen_id)
    with get_db(current_app).read() as db:
        waiting = prepared.waiting_for(db, session.citizen_id, now=datetime.now(UTC))
    agencies: dict[str, str] = {}
    for client_id in [d.client_id for d in documents] + [w.client_id for w in waiting]:
        if client_id and client_id not in agencies:
            agencies[client_id] = service.directory.agency_name(client_id, current_language()) or client_id
    done = request.args.get("done")
    return render_template("documents/list.html", documents=documents, agencies=agencies,
                           waiting=waiting,
                           verify_url=service.verify_url,
                           human_size=lambda size: human_size(size, current_language()),
                           notice="signed" if done == "signed" else None)


@bp.get("/account/documents/<document_id>/pdf")
def my_document_pdf(document_id: str) -> Response:
    session = require_citizen()
    try:
        document = _service().get(document_id, subject=session.citizen_id)
    except DocumentNotFound:
        abort(404)
    return pdf_response(_service().pdf(document), document.file_name)


@bp.route("/account/sign", methods=["GET", "POST"])
def sign() -> BaseResponse | tuple[str, int] | tuple[str, int, dict[str, str]] | str:
    """Step 1: choose a PDF. It is checked (type, size, damage, encryption) before anything."""
    require_citizen()
    if request.method == "POST":
        validate_csrf()
    session, refusal = signing_citizen()
    if refusal is not None:
        return refused_page(refusal)
    if not reauth.fresh(session):  # the file is chosen again after the check
        return reauth.recheck_redirect("/account/sign")
    service = _service()
    limit = human_size(service.settings.max_bytes, current_language())
    if request.method == "GET":
        return render_template("documents/sign.html", limit=limit, error=None)
    hit("documents-upload", key=session.citizen_id, limit=30, window=3600)
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        return render_template("documents/sign.html", limit=limit,
                               error=_("mydocs.sign.error.no_file")), 400
    try:  # the citizen sees, approves and signs the normalised file (signing.normalise)
        # The file's own size, so a refusal names it (the part read stops at the limit).
        check_size(_upload_size(upload), max_bytes=service.settings.max_bytes)
        data = upload.read(service.settings.max_bytes + 1)
        checked = normalise(data, max_bytes=service.settings.max_bytes).checked
    except InvalidPdf as exc:
        count("documents.upload", exc.key)
        retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return render_template("documents/sign.html", limit=limit,
                               error=exc.message(current_language())), exc.status, retry
    pending = _uploads().put(get_store(current_app), citizen_id=session.citizen_id,
                             data=checked.data,
                             file_name=citizen_signature.clean_file_name(upload.filename),
                             pages=checked.pages, signatures=checked.signatures)
    count("documents.upload", "ok")
    return redirect(f"/account/sign/{pending.id}", code=303)


def oversized_upload_page() -> Response | None:
    """A signed-in citizen's upload past the limit (refused before the form is read): the form
    again, saying the file's size (about the request's) and the limit; None for anyone else
    (the generic 413 page)."""
    if current_session() is None:
        return None
    max_bytes = _service().settings.max_bytes
    try:
        check_size(max(request.content_length or 0, max_bytes + 1), max_bytes=max_bytes)
    except InvalidPdf as exc:
        body = render_template("documents/sign.html", limit=human_size(max_bytes, current_language()),
                               error=exc.message(current_language()))
        return Response(body, status=413)
    return None


def _upload_size(upload: FileStorage) -> int:
    """The uploaded file's size in bytes (werkzeug keeps it in a seekable file)."""
    stream = upload.stream
    start = stream.tell()
    size = stream.seek(0, os.SEEK_END) - start
    stream.seek(start)
    return size


def _pending(upload_id: str, citizen_id: str) -> Upload:
    pending = _uploads().get(get_store(current_app), upload_id, citizen_id=citizen_id)
    if pending is None:
        abort(404)
    return pending


@bp.get("/account/sign/<upload_id>")
def review(upload_id: str) -> Response | str:
    """Step 2: what will be signed: name, size, pages, SHA-256; open it; confirm."""
    session, refusal = signing_citizen()
    if refusal is not None:
        return refused_page(refusal)
    if not reauth.fresh(session):
        return reauth.recheck_redirect()
    pending = _pending(upload_id, session.citizen_id)
    return render_template("documents/review.html", upload=pending,
                           size=human_size(pending.size, current_language()))


@bp.get("/account/sign/<upload_id>/pdf")
def review_pdf(upload_id: str) -> Response:
    session = require_citizen()
    pending = _pending(upload_id, session.citizen_id)
    data = _uploads().read(pending)
    if data is None:
        abort(404)
    return pdf_response(data, pending.file_name, inline=True)


def _api_pending(upload_id: str) -> tuple[str, Upload]:
    session, refusal = signing_citizen()
    if refusal is not None:
        raise api_refusal(refusal)
    pending = _uploads().get(get_store(current_app), upload_id, citizen_id=session.citizen_id)
    if pending is None:
        raise ApiError(404, "not_found", _("mydocs.sign.error.expired"))
    return session.citizen_id, pending


def _refuse(exc: WebAuthnError) -> ApiError:
    count("documents.confirm", exc.error)
    log.info("document confirmation refused", extra={"error": exc.error, "detail": str(exc)})
    return ApiError(exc.status, exc.error, _(exc.catalog_key or f"webauthn.error.{exc.error}"))


@bp.post("/account/sign/<upload_id>/options")
def confirm_options(upload_id: str) -> Response:
    """WebAuthn request options whose challenge commits to this document's SHA-256.

    Signing is a sensitive action (idp.account.reauth): the options are only given in a
    session whose passkey check is fresh. The confirmation that follows is itself a
    user-verified assertion, made in this session, for this document."""
    json_body(allow_empty=True)
    citizen_id, pending = _api_pending(upload_id)
    session = require_citizen()
    if not reauth.fresh(session):
        return reauth.recheck_api(session, action="sign", next_page=f"/account/sign/{pending.id}")
    if pending.prepared_id:
        prepared_page.ensure_signable(pending.prepared_id, citizen_id=citizen_id)
    hit("webauthn-options", limit=int(get_settings()["rate_limit"]["challenges"]))
    try:
        with get_db(current_app).read() as db:
            options = confirmation.begin(
                db, get_store(current_app), rp=relying_party(),
                citizen_id=citizen_id, upload_id=pending.id,
                document_sha256=bytes.fromhex(pending.sha256),
                ttl=_service().settings.confirm_seconds, now=time.time(),
                level=_service().settings.minimum_signing_level)
    except WebAuthnError as exc:
        raise _refuse(exc) from None
    response = jsonify(options)
    response.headers["Cache-Control"] = "no-store"
    return response


def _approval(confirmed: confirmation.Confirmed, citizen_id: str) -> Approval:
    """The verified assertion, at the level of the signing sign-in (idp.assurance): the lower
    of this session's sign-in and the passkey that approved the document, so the level a
    certificate states is never above the passkey whose assertion it carries."""
    with get_db(current_app).read() as db:
        level = _approval_level(db, confirmed, citizen_id)
    return Approval(
        authenticator_data=confirmed.authenticator_data,
        client_data_json=confirmed.client_data_json, signature=confirmed.signature,
        credential_id=confirmed.raw_credential_id,
        credential_public_key=confirmed.credential_public_key,
        aaguid=uuid.UUID(confirmed.aaguid).bytes if confirmed.aaguid else bytes(16),
        user_verified=confirmed.user_verified, level=level, approved_at=datetime.now(UTC))


def _approval_level(db: Session, confirmed: confirmation.Confirmed, citizen_id: str) -> Level:
    """The lower of this session's sign-in and the passkey that approved the document."""
    from idp.assurance.levels import lower
    from idp.assurance.services import assess

    sso = require_citizen()
    session_level = assess(db, citizen_id=citizen_id, credential_id=sso.credential_id,
                           amr=sso.amr, pid=sso.pid).level
    approving = assess(db, citizen_id=citizen_id, credential_id=confirmed.raw_credential_id,
                       amr=("mfa",) if confirmed.user_verified else ()).level
    return lower(session_level, approving)


def _still_at_minimum(db: Session, confirmed: confirmation.Confirmed, citizen_id: str,
                      minimum: str) -> None:
    """Last in the transaction that stores the signature: the level is read again, so a
    signature made while the proofing was removed or the approving passkey was removed or
    marked suspect is not stored at a level the citizen no longer has. ApiError 403 (rolls it
    back) if not. The citizen's row is read first, locked until the commit (shared:
    PostgreSQL's FOR SHARE; SQLite's writer lock holds the whole transaction): a reclaim or a
    closure holds it for update until it commits, so what follows reads what they left (no
    proofing, no passkeys), and a frozen or closed account signs nothing."""
    import sqlalchemy as sa

    from idp.citizens.models import CLOSED_PREFIX, FROZEN_PREFIX, Citizen, Passkey

    national_id = db.scalar(sa.select(Citizen.national_id).where(Citizen.id == uuid.UUID(str(citizen_id)))
                            .with_for_update(read=True))
    gone = national_id is None or national_id.startswith((FROZEN_PREFIX, CLOSED_PREFIX))
    suspect = db.scalar(sa.select(Passkey.suspect_since)
                        .where(Passkey.credential_id == confirmed.raw_credential_id))
    if not gone and suspect is None and at_least(_approval_level(db, confirmed, citizen_id), minimum):
        return
    count("documents.sign_refused", "lowered_while_signing")
    log.warning("level lowered while the signature was made: nothing stored",
                extra={"citizen_id": citizen_id})
    raise ApiError(403, "insufficient_user_authentication",
                   _("mydocs.eligibility.refused.api", minimum=_(f"assurance.level.{minimum}")))


@bp.post("/account/sign/<upload_id>/confirm")
def confirm(upload_id: str) -> Response:
    """Verify the passkey assertion for this document, then sign (PAdES B-LT) and store."""
    body = json_body()
    citizen_id, pending = _api_pending(upload_id)
    if pending.prepared_id:
        prepared_page.ensure_signable(pending.prepared_id, citizen_id=citizen_id)
    data = _uploads().read(pending)
    if data is None:
        raise ApiError(404, "not_found", _("mydocs.sign.error.expired"))
    try:
        with get_db(current_app).transaction() as db:
            confirmed = confirmation.finish(
                db, get_store(current_app), rp=relying_party(),
                citizen_id=citizen_id, upload_id=pending.id,
                document_sha256=bytes.fromhex(pending.sha256), body=body, now=time.time())
    except WebAuthnError as exc:
        if isinstance(exc, CloneSuspected):  # as at sign-in: the passkey is blocked, its sessions end
            sign_ins.note_clone(exc)
        raise _refuse(exc) from None
    service = _service()
    citizen = service.directory.citizen(citizen_id)
    if citizen is None:
        raise ApiError(401, "login_required", _("webauthn.error.login_required"))
    approval = _approval(confirmed, citizen_id)
    minimum = service.settings.minimum_signing_level
    if not at_least(approval.level, minimum):  # approved with a passkey below the minimum
        count("documents.sign_refused", "approving_passkey")
        raise ApiError(403, "insufficient_user_authentication",
                       _("mydocs.eligibility.approving.api",
                         level=_(f"assurance.level.{approval.level}"),
                         minimum=_(f"assurance.level.{minimum}")))
    with get_db(current_app).read() as db:  # the agency that prepared it downloads it signed
        national_id = signature_recipient_may_learn_national_id(db, pending.client_id)
    try:
        unstored = citizen_signature.sign_pdf(
            service, citizen=citizen, pdf=data, approval=approval,
            file_name=pending.file_name, language=current_language(),
            client_id=pending.client_id, national_id=national_id)
        # this request owns the transaction: the document and its log entry, nothing called back
        # one operation: a prepared document withdrawn or expired meanwhile stores nothing
        with service.store.staged(unstored.pdf, service.database) as (stored, session):
            signed = record_signed(session, unstored, stored)
            if pending.prepared_id:
                prepared_page.link_signature(session, pending.prepared_id, citizen_id=citizen_id,
                                             document_id=signed.id)
            _still_at_minimum(session, confirmed, citizen_id, minimum)
    except citizen_signature.LevelTooLow as exc:  # the gate above makes this a race at most
        log.warning("citizen signature refused by the signing service",
                    extra={"citizen_id": citizen_id, "error": str(exc)})
        raise ApiError(403, "insufficient_user_authentication",
                       _("mydocs.eligibility.refused.api",
                         minimum=_(f"assurance.level.{service.settings.minimum_signing_level}"))
                       ) from None
    except InvalidPdf as exc:
        retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        raise ApiError(exc.status, exc.error, exc.message(current_language()),
                       headers=retry) from None
    except SigningError as exc:
        log.error("citizen signature failed", extra={"citizen_id": citizen_id, "error": str(exc)})
        raise ApiError(422, "not_signed", _("mydocs.sign.error.not_signed")) from None
    _uploads().discard(get_store(current_app), pending)
    count("documents.citizen_signature", "ok")
    log.info("document signed by citizen", extra={"citizen_id": citizen_id,
                                                  "document": signed.id})
    response = jsonify(status="ok", id=signed.id, csv=signed.csv, sha256=signed.sha256,
                       signed_from=signed.signed_from,
                       redirect=f"/account/documents?done=signed#doc-{signed.id}")
    response.headers["Cache-Control"] = "no-store"
    return response
