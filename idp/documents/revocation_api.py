"""An agency revokes (or supersedes) a document it issued: `POST /api/documents/<id>/revoke`.

Body (JSON): `{"reason": "<why, shown to verifiers>", "superseded_by": "<newer id>"?}`.
Authenticated like the rest of the agencies' API (client credentials token with
`documents:issue`); an agency only reaches its own documents, others are "not found".
The seal stays valid: `/verify` then shows the document revoked, with date and reason.

Registered by `idp.documents.init_app`: `app.register_blueprint(revocation_api.bp)`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from idp.documents.api import _agency
from infra.db import get_db
from infra.web.errors import ApiError
from infra.web.jsonapi import json_body
from keys import get_service
from signing.verify import document_revocation
from signing.verify.errors import VerificationError

bp = Blueprint("documents_revocation", __name__, url_prefix="/api/documents")

OPENAPI_PATHS = {
    "/api/documents/{document_id}/revoke": {"post": {
        "summary": "Revoke (or mark as superseded) a document this agency issued.",
        "security": [{"bearer": ["documents:issue"]}],
        "parameters": [{"name": "document_id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 200},
                           "superseded_by": {"type": "string", "description": (
                               "The id of a valid document this agency issued to the same "
                               "citizen with the same template (409 otherwise).")}}}}}},
        "responses": {
            "200": {"description": "The document's new status.", "content": {"application/json": {
                "schema": {"type": "object", "required": ["id", "csv", "status", "revoked_at", "reason",
                                                          "superseded_by"],
                           "properties": {"id": {"type": "string"}, "csv": {"type": "string"},
                                          "status": {"enum": ["revoked", "superseded"]},
                                          "revoked_at": {"type": "string", "format": "date-time"},
                                          "reason": {"type": ["string", "null"]},
                                          "superseded_by": {"type": ["string", "null"]}}}}}},
            "409": {"description": "conflict: already revoked or superseded, or superseded_by is not "
                                   "a valid document of this agency for the same citizen and template",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            **{code: {"description": description, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
               for code, description in (
                   ("400", "invalid_request: reason missing, empty, longer than 200 characters or not a "
                           "string, superseded_by not a string, or the body not a JSON object"),
                   ("401", "invalid_token: missing, invalid or expired token"),
                   ("404", "not_found: no document with this id was issued by this agency"),
                   ("415", "unsupported_media_type: send application/json"))},
        },
    }},
}


@bp.post("/<document_id>/revoke")
def revoke(document_id: str) -> Response:
    agency = _agency()
    body = json_body()
    reason, replacement = body.get("reason"), body.get("superseded_by")
    if not isinstance(reason, str) or (replacement is not None and not isinstance(replacement, str)):
        raise ApiError(400, "invalid_request", "reason must be a string, and superseded_by, "
                       "if given, the id of a newer document.")
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
    except VerificationError as exc:
        raise ApiError(exc.status, "conflict" if exc.status == 409 else exc.error,
                       exc.description) from None
    response = jsonify(id=change.id, csv=change.csv, status=change.status,
                       revoked_at=change.revoked_at.isoformat() if change.revoked_at else None,
                       reason=change.reason, superseded_by=change.superseded_by)
    response.headers["Cache-Control"] = "no-store"
    return response
