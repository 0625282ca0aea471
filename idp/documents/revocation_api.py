"""An agency revokes (or supersedes) a document it issued: `POST /api/documents/<id>/revoke`.

Body (JSON): `{"reason": "<why, shown to verifiers>", "superseded_by": "<newer id>"?}`; as for
issuing, a body with bad content (another member, a reason missing, empty or too long) is 422
`invalid_data` naming the member, and `revoked_at` is RFC 3339 with `Z` like `issued_at`.
Authenticated like the rest of the agencies' API (client credentials token with
`documents:issue`); an agency only reaches its own documents, others are "not found".
The seal stays valid: `/verify` then shows the document revoked, with date and reason.

Registered by `idp.documents.init_app`: `app.register_blueprint(revocation_api.bp)`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from idp.documents.api import _agency, _string
from idp.documents.openapi import MALFORMED, ORIGIN, TOKEN, UNAVAILABLE
from idp.oidc import protected
from infra.db import get_db
from infra.utc import rfc3339
from infra.web.errors import ApiError
from infra.web.jsonapi import json_body
from infra.web.ratelimit import advertise
from keys import get_service
from signing.verify import document_revocation
from signing.verify.errors import VerificationError

bp = Blueprint("documents_revocation", __name__, url_prefix="/api/documents")
bp.after_request(advertise)  # RateLimit fields of the agency's (or address's) limit
bp.after_request(protected.offer_nonce)  # the DPoP nonce for the next proof (RFC 9449 section 9)

OPENAPI_PATHS = {
    "/api/documents/{document_id}/revoke": {"post": {
        "summary": "Revoke (or mark as superseded) a document this agency issued.",
        "security": [{"bearer": ["documents:issue"]}],
        "parameters": [{"name": "document_id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/RevokeRequest"}}}},
        "responses": {
            "200": {"description": "The document's new status.", "content": {"application/json": {
                "schema": {"type": "object", "required": ["id", "csv", "status", "revoked_at", "reason",
                                                          "superseded_by"],
                           "properties": {"id": {"type": "string"}, "csv": {"type": "string"},
                                          "status": {"enum": ["revoked", "superseded"]},
                                          "revoked_at": {"type": "string", "format": "date-time",
                                                         "description": "UTC, with Z (as issued_at)"},
                                          "reason": {"type": ["string", "null"]},
                                          "superseded_by": {"type": ["string", "null"]}}}}}},
            "409": {"description": "conflict: already revoked or superseded, or superseded_by is not "
                                   "a valid document of this agency for the same citizen and template",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            **{code: {"description": description, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
               for code, description in (
                   ("400", MALFORMED),
                   ("401", TOKEN["description"]),
                   ("403", "insufficient_scope: the token lacks documents:issue; " + ORIGIN),
                   ("404", "not_found: no document with this id was issued by this agency"),
                   ("413", "request_too_large: the body is above [server] max_body_bytes"),
                   ("415", "unsupported_media_type: send application/json"),
                   ("422", "invalid_data: reason missing, empty, longer than 200 characters or not "
                           "a string, superseded_by empty or not a string, or a member other than "
                           "reason and superseded_by; the description names the member"))},
            "503": UNAVAILABLE,
        },
    }},
}


@bp.post("/<document_id>/revoke")
def revoke(document_id: str) -> Response:
    agency = _agency()
    body = json_body()
    unknown = sorted(set(body) - {"reason", "superseded_by"})
    if unknown:
        raise ApiError(422, "invalid_data", f"{unknown[0]}: this member is not accepted; send "
                       "reason and optionally superseded_by")
    reason = str(_string(body, "reason"))
    replacement = _string(body, "superseded_by", required=False)
    database = get_db(current_app)
    now = get_service(current_app).now()
    try:
        if replacement:
            change = document_revocation.supersede(database, document_id=document_id,
                                          replacement_id=replacement, reason=reason, now=now,
                                          client_id=agency.client_id)
        else:
            change = document_revocation.revoke(database, document_id=document_id, reason=reason,
                                       now=now, client_id=agency.client_id)
    except document_revocation.InvalidReason as exc:
        raise ApiError(422, "invalid_data", f"reason: {exc.description}") from None
    except VerificationError as exc:
        raise ApiError(exc.status, "conflict" if exc.status == 409 else exc.error,
                       exc.description) from None
    response = jsonify(id=change.id, csv=change.csv, status=change.status,
                       revoked_at=rfc3339(change.revoked_at),
                       reason=change.reason, superseded_by=change.superseded_by)
    response.headers["Cache-Control"] = "no-store"
    return response
