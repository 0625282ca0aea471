"""The agencies' documents API: issue (`POST /api/documents`), the templates, metadata, PDF.

Agencies authenticate with a client credentials access token carrying `documents:issue`
(RFC 6750 bearer, section 2.1 header only). Errors are JSON with a machine code and a
sentence; data errors are 422 and name every bad field.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from clients.registry import agency_name
from idp.citizens.models import CLOSED_PREFIX, FROZEN_PREFIX
from idp.documents import idempotency
from idp.documents.directory import IdpDirectory
from idp.documents.issuing import ConsentGone, SubjectGone, may_learn_national_id, may_name, record_issued
from idp.oidc import client_credentials, protected, subjects
from idp.oidc.current import provider
from idp.oidc.errors import OidcError
from infra.config import get_settings
from infra.db import get_db
from infra.idempotency import Claim, IdempotencyError, IdempotencyKeys, InProgress, Replay
from infra.ops.metrics import count, label_agency
from infra.store import get_store
from infra.utc import rfc3339
from infra.web.cors import public_read
from infra.web.errors import ApiError
from infra.web.jsonapi import json_body
from infra.web.ratelimit import advertise, hit
from signing import issuance
from signing.data_problems import InvalidTemplateData
from signing.errors import RenderError, SigningError, UnknownTemplate
from signing.i18n import LANGUAGES
from signing.models import Document
from signing.pades import LEVELS, SealError, SealUnavailable
from signing.service import CitizenRef, DocumentNotFound, DocumentService, get_documents
from signing.templates import schemas
from signing.titles import titles

log = logging.getLogger(__name__)
bp = Blueprint("documents_api", __name__, url_prefix="/api/documents")
bp.after_request(advertise)  # RateLimit fields of the agency's (or address's) limit
bp.after_request(protected.offer_nonce)  # the DPoP nonce for the next proof (RFC 9449 section 9)
SCOPE = "documents:issue"


def _service() -> DocumentService:
    return get_documents(current_app)


# RFC 3986 section 3.3: the characters a path segment may hold unescaped (pchar) besides "/".
_PCHAR = "/!$&'()*+,;=:@~-._"


def request_url() -> str:
    """The URL this request was sent to, for a DPoP proof's htu (RFC 9449 section 4.3 item 9):
    Flask's request.path is percent-decoded, so escaped characters are escaped again (UTF-8)
    before `dpop.htu` normalises both sides; the issuer gives scheme, host and mount point."""
    return provider().settings.issuer + quote(request.path, safe=_PCHAR)


def _agency() -> client_credentials.AgencyToken:
    """The calling agency, from its access token: Bearer (RFC 6750 section 2.1 and 3) or
    DPoP-bound with its proof (RFC 9449 section 7)."""
    try:
        presented = protected.presented(provider(), request_url())
        with get_db(current_app).read() as session:
            agency = client_credentials.check(session, get_store(current_app), provider(),
                                              presented.token, scope=SCOPE, jkt=presented.jkt)
        label_agency(agency.client_id)
        # Each agency's calls count against its own limit (429 with Retry-After past it).
        hit("documents-api", key=agency.client_id, limit=int(get_settings(current_app)["rate_limit"]["documents_api"]))
        return agency
    except OidcError as exc:
        description = exc.description
        if isinstance(exc, protected.MissingToken):
            description = ("An access token with scope documents:issue is required "
                           "(Authorization: Bearer ... or DPoP ...).")
        raise ApiError(protected.status_of(exc), exc.error, description,
                       headers=protected.challenge_headers(provider(), exc, scope=SCOPE)) from None


def _string(body: dict, name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "invalid_data", f"{name}: a non-empty string is required")
    return value.strip()


def metadata(document: Document) -> dict:
    service = _service()
    return {
        "id": document.id,
        "csv": document.csv,
        "kind": document.kind,
        "template": document.template,
        "title": document.title,
        "titles": titles(document.template),
        "language": document.language,
        "level": document.level,
        "status": document.status,
        "issued_at": rfc3339(document.issued_at),
        "sha256": document.sha256,
        "size": document.size,
        "verify_url": service.verify_url(document.csv),
        "download_url": f"{service.issuer}/api/documents/{document.id}/pdf",
    }


@bp.get("/templates")
@public_read  # any page may read it, its refusals included (infra/web/cors.py)
def templates() -> Response:
    """Every template's name and JSON Schema, as one JSON object (public: each client address's
    reads count against [rate_limit] documents_templates, 429 with Retry-After past it)."""
    hit("documents-templates", limit=int(get_settings(current_app)["rate_limit"]["documents_templates"]))
    response = jsonify(schemas())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()  # revalidated with If-None-Match: 304 while unchanged (RFC 9110 section 13.1.2)
    response.make_conditional(request)  # in place
    return response


@bp.post("")
def issue() -> Response:
    """Issue a sealed document for a citizen the agency knows by `subject`."""
    agency = _agency()
    body = json_body()
    unknown = sorted(set(body) - {"template", "subject", "data", "language", "level"})
    if unknown:
        raise ApiError(422, "invalid_data", f"{unknown[0]}: this member is not accepted; send "
                       "template, subject, data and optionally language and level")
    template = _string(body, "template")
    subject = _string(body, "subject")
    language = _string(body, "language", required=False) or "es"
    if language not in LANGUAGES:
        raise ApiError(422, "invalid_data", f"language: must be one of {', '.join(LANGUAGES)}")
    level = _string(body, "level", required=False)
    if level is not None and level not in LEVELS:
        raise ApiError(422, "invalid_data", f"level: must be one of {', '.join(LEVELS)}")
    if not isinstance(body.get("data"), dict):
        raise ApiError(422, "invalid_data", "data: a JSON object with the template's fields "
                       "is required (see GET /api/documents/templates)")
    service = _service()
    keys = idempotency.idempotency_keys(current_app)
    try:
        claim = idempotency.begin(keys, client_id=agency.client_id,
                                  header=request.headers.get(idempotency.HEADER), body=body)
    except IdempotencyError as exc:
        raise _idempotency_error(exc) from None
    if isinstance(claim, Replay):
        count("documents.issue", "replayed")
        return _issued_response(service, str(claim.result["document_id"]), replayed=True)
    try:
        with keys.working(claim) if claim is not None else nullcontext():
            issued = _issue(service, agency, body, template=str(template), subject=str(subject),
                            language=language, level=level, keys=keys, claim=claim)
    except BaseException:
        if claim is not None:
            keys.abandon(claim)  # nothing was issued: a retry with this key may start at once
        raise
    if isinstance(issued, Response):  # the template refused the data: nothing was issued
        if claim is not None:
            keys.abandon(claim)
        return issued
    count("documents.issue", "ok", agency=agency.client_id)
    log.info("document issued", extra={"client_id": agency.client_id, "document": issued.id,
                                       "template": issued.template, "level": issued.level})
    return _issued_response(service, issued.id)


def _idempotency_error(exc: IdempotencyError) -> ApiError:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, InProgress) else None
    return ApiError(exc.status, exc.error, str(exc), headers=headers)


def consent_required() -> ApiError:
    """403 `consent_required`: the agency may not receive a document that names the citizen."""
    return ApiError(403, "consent_required", "the citizen has not consented to this agency for its "
                    "declared purpose (never, withdrawn, expired, or the purpose changed): a document "
                    "names the citizen, so it is issued only with that consent or under a law the "
                    "operator set for the agency ([consent] legal_bases). Sign the citizen in again.")


UNKNOWN_SUBJECT = ("subject: no citizen is known to this client by this subject; use the sub of the "
                   "citizen's ID token for this client")


def named_citizen(service: DocumentService, agency: client_credentials.AgencyToken, subject: str, *,
                  event: str) -> CitizenRef:
    """The citizen the agency knows by `subject`, whom a document it receives may name (an
    issued one, or one the citizen signs for it): 422 `invalid_data` when no citizen is known to
    it by that subject, 403 `consent_required` when it may not name them (`may_name`); counted
    under `event`."""
    with get_db(current_app).transaction() as session:
        citizen_id = subjects.resolve(session, provider(), client=agency.client, subject=subject)
        allowed = citizen_id is None or may_name(session, agency.client, citizen_id)
    citizen = service.directory.citizen(str(citizen_id)) if citizen_id else None
    if citizen is not None and citizen.national_id.startswith((FROZEN_PREFIX, CLOSED_PREFIX)):
        # frozen by a reclaim (idp.assurance.reclaim) or closed by its citizen (right to
        # erasure, idp.consent.closure): it names nobody any more
        citizen = None
    if citizen is None:
        count(event, "unknown_subject")
        raise ApiError(422, "invalid_data", UNKNOWN_SUBJECT)
    if not allowed:
        count(event, "consent_required")
        raise consent_required()
    return citizen


def _issue(service: DocumentService, agency: client_credentials.AgencyToken, body: dict, *,
           template: str, subject: str, language: str, level: str | None,
           keys: IdempotencyKeys, claim: Claim | None) -> issuance.IssuanceResult | Response:
    """The document issued, or the 422 response for data the template refuses.

    `signing` renders and seals it (named after the agency as the citizen's language has it);
    then one transaction records it (`issuing.record_issued`: its row, the release logged, the
    data kept for wallets) and completes the request's idempotency claim: a document exists if
    and only if all of these do."""
    citizen = named_citizen(service, agency, subject, event="documents.issue")
    try:
        sealed = issuance.seal(service, client_id=agency.client_id,
                               agency_name=agency_name(agency.client, language), template=template,
                               citizen=citizen, data=body["data"], language=language, level=level,
                               fill_national_id=may_learn_national_id(agency.client))
        with service.store.staged(sealed.pdf, service.database) as (stored, session):
            issued = record_issued(session, sealed, stored, agency=agency.client)
            if claim is not None:
                keys.complete(session, claim, {"document_id": issued.id})
        return issued
    except SubjectGone:  # frozen by a reclaim or closed while the document was sealed
        count("documents.issue", "unknown_subject")
        raise ApiError(422, "invalid_data", UNKNOWN_SUBJECT) from None
    except ConsentGone:  # withdrawn (or lapsed) while the document was sealed
        count("documents.issue", "consent_required")
        raise consent_required() from None
    except UnknownTemplate as exc:
        raise ApiError(422, "invalid_data", f"template: {exc}") from None
    except InvalidTemplateData as exc:
        count("documents.issue", "invalid_data")
        response = jsonify(error="invalid_data", error_description=exc.description(language),
                           fields=exc.fields(language))
        response.status_code = 422
        response.headers["Cache-Control"] = "no-store"
        return response
    except RenderError as exc:
        raise ApiError(422, "invalid_data", f"data: {exc}") from None
    except SealUnavailable as exc:
        count("documents.issue", "seal_unavailable")
        raise ApiError(409, "seal_unavailable", str(exc)) from None
    except (SealError, SigningError) as exc:
        log.error("document not sealed", extra={"client_id": agency.client_id, "error": str(exc)})
        retry_after = get_settings(current_app).server.retry_after_seconds
        raise ApiError(503, "temporarily_unavailable", "The document could not be sealed now; "
                       f"nothing was issued. Try again in {retry_after} seconds.",
                       headers={"Retry-After": str(retry_after)}) from None
    except IdempotencyError as exc:  # another request took the key over while this one sealed
        raise _idempotency_error(exc) from None


def _issued_response(service: DocumentService, document_id: str, *, replayed: bool = False) -> Response:
    response = jsonify(metadata(service.get(document_id)))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"  # its status changes (revoked, superseded)
    response.headers["Location"] = f"{service.issuer}/api/documents/{document_id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _own(document_id: str) -> Document:
    agency = _agency()
    try:
        return _service().get(document_id, client_id=agency.client_id)
    except DocumentNotFound:
        raise ApiError(404, "not_found", "No document with this id was issued by this client.") from None


@bp.get("/<document_id>")
def show(document_id: str) -> Response:
    response = jsonify(metadata(_own(document_id)))
    response.headers["Cache-Control"] = "no-store"  # its status changes (revoked, superseded)
    return response


@bp.get("/<document_id>/pdf")
def download(document_id: str) -> Response:
    document = _own(document_id)
    return pdf_response(_service().pdf(document), document.file_name)


def pdf_response(data: bytes, file_name: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype="application/pdf")
    ascii_name = file_name.encode("ascii", "ignore").decode() or "document.pdf"
    ascii_name = ascii_name.replace('"', "")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(file_name)}')
    response.headers["Cache-Control"] = "private, no-store"
    return response


def directory(app: Flask) -> IdpDirectory:
    from idp.citizens import scheme

    return IdpDirectory(get_db(app), scheme(app))
