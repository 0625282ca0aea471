"""OpenAPI 3.1 descriptions of the documents API (added to /openapi.json)."""

from __future__ import annotations

from typing import Any

from idp.documents.prepared import DEFAULT_DAYS, MAX_DAYS
from infra.openapi import RATE_LIMIT_HEADERS, RETRY_AFTER
from signing.normalise import FOUND

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
_DOC = {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}
# draft-ietf-httpapi-idempotency-key-header (`idp.documents.idempotency`, `infra.idempotency`).
def idempotency_key(hours: int) -> dict[str, Any]:
    """The header's parameter, saying how long this deployment keeps a key."""
    return {"name": "Idempotency-Key", "in": "header", "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 257},
            "description": "1 to 255 visible ASCII characters (a UUID; a quoted string too), "
                           f"kept {hours} hour{'s' if hours != 1 else ''}: a retry with the same "
                           "key and body gets the first answer, with Idempotent-Replayed: true"}


IDEMPOTENCY_KEY = idempotency_key(24)  # `[documents] idempotency_keep_hours`' default


def keeping(paths: dict[str, Any], hours: int) -> dict[str, Any]:
    """`paths` with their Idempotency-Key parameter saying `hours` (the deployment's setting)."""
    key = idempotency_key(hours)
    return {path: {method: ({**operation, "parameters": [
        key if parameter.get("name") == key["name"] else parameter
        for parameter in operation["parameters"]]} if "parameters" in operation else operation)
        for method, operation in operations.items()} for path, operations in paths.items()}
CREATED_HEADERS = {
    "Location": {"required": True, "schema": {"type": "string", "format": "uri"},
                 "description": "the new resource"},
    "Idempotent-Replayed": {"schema": {"const": "true"},
                            "description": "the answer of the first request with this Idempotency-Key"},
}
# What every JSON body and token of the agencies' API may meet (`infra.web.jsonapi.json_body`,
# `idp.documents.api._agency`): the same refusals on each operation that takes a body.
MALFORMED = ("invalid_request: the body is empty, not JSON, not a JSON object, names a member "
             "twice or holds a NUL character")
TOKEN = {"description": "invalid_token: missing, invalid or expired token (WWW-Authenticate "
                        "says which); invalid_dpop_proof or use_dpop_nonce: the DPoP proof of a "
                        "DPoP-bound token is missing or wrong, or must carry the DPoP-Nonce sent",
         "content": _ERROR}
ORIGIN = ("invalid_origin: sent by a browser from another site (an Origin header other than the "
          "issuer's)")
OUTAGE = ("temporarily_unavailable: the database or the ephemeral store is unavailable; "
          "retry after the Retry-After seconds")
THROTTLED = {"description": "too_many_requests: more than [rate_limit] documents_api requests of this "
                            "agency in [rate_limit] window_seconds; retry after the Retry-After seconds",
             "headers": {**RETRY_AFTER, **RATE_LIMIT_HEADERS}, "content": _ERROR}


def throttled(paths: dict[str, Any]) -> dict[str, Any]:
    """`paths` with 429 on each operation that takes the agency's token (`api._agency` counts
    every call of the agency against its limit)."""
    return {path: {method: ({**operation, "responses": {**operation["responses"], "429": THROTTLED}}
                            if "security" in operation else operation)
                   for method, operation in operations.items()} for path, operations in paths.items()}


SCOPE_REFUSED = {"description": "insufficient_scope: the token lacks documents:issue", "content": _ERROR}
UNAVAILABLE = {"description": OUTAGE, "headers": RETRY_AFTER, "content": _ERROR}
# The document named in the path (/api/documents/{id}...).
_DOCUMENT_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
IDEMPOTENCY_REFUSALS = {
    "400": {"description": f"{MALFORMED}; invalid_idempotency_key: the Idempotency-Key is not "
                           "1 to 255 visible ASCII characters", "content": _ERROR},
    "409": {"description": "request_in_progress: the first request with this Idempotency-Key is "
                           "still running; retry after the Retry-After seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": _ERROR},
}

PATHS = {
    "/api/documents": {"post": {
        "summary": "Issue a sealed document (PAdES) for a citizen; client credentials token "
                   "with scope documents:issue",
        "security": _BEARER,
        "parameters": [IDEMPOTENCY_KEY],  # and DPoP: idp.oidc.openapi.protected_resource
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/IssueRequest"}}}},
        "responses": {
            "201": {"description": "issued", "headers": CREATED_HEADERS, "content": _DOC},
            **IDEMPOTENCY_REFUSALS,
            "401": TOKEN,
            "403": {"description": "insufficient_scope; consent_required: the citizen's consent to this "
                    "agency does not stand (or the agency declares another purpose); " + ORIGIN,
                    "content": _ERROR},
            "409": {"description": "seal_unavailable: the agency has no seal certificate; "
                                   "request_in_progress: the first request with this Idempotency-Key "
                                   "is still running, retry after the Retry-After seconds",
                    "headers": IDEMPOTENCY_REFUSALS["409"]["headers"], "content": _ERROR},
            "413": {"description": "request_too_large: the body is above [server] max_body_bytes "
                                   "(1 MiB by default)", "content": _ERROR},
            "415": {"description": "unsupported_media_type: send Content-Type: application/json",
                    "content": _ERROR},
            "422": {"description": "invalid_data: names every bad field, including a holder field "
                    "(residence full_name, identity_document; birth given_names, surnames) that "
                    "does not match the register's citizen (leave those out to have the "
                    "register's printed); idempotency_key_reused: this Idempotency-Key was used "
                    "with another body", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DataError"}}}},
            "503": {"description": "temporarily_unavailable: the document could not be sealed now "
                                   "(nothing was issued), or " + OUTAGE.removeprefix(
                                       "temporarily_unavailable: "),
                    "headers": RETRY_AFTER, "content": _ERROR},
        },
    }},
    "/api/documents/templates": {"get": {
        "summary": "Every template's name and JSON Schema",
        "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "the ETag of the list you keep: 304 while it is unchanged"}],
        "responses": {"200": {"description": "template name -> JSON Schema",
                              "headers": {"ETag": {"required": True, "schema": {"type": "string"},
                                                   "description": "send it as If-None-Match to revalidate"},
                                          **RATE_LIMIT_HEADERS},
                              "content": {"application/json": {"schema": {
                                  "type": "object", "additionalProperties": {"type": "object"}}}}},
                      "304": {"description": "not modified: the list of the If-None-Match ETag is current"},
                      "429": {"description": "too_many_requests: more than [rate_limit] documents_templates "
                                             "requests from this client address in [rate_limit] "
                                             "window_seconds; retry after the Retry-After seconds",
                              "headers": {**RETRY_AFTER, **RATE_LIMIT_HEADERS}, "content": _ERROR},
                      "503": UNAVAILABLE},
    }},
    "/api/documents/{id}": {"get": {
        "summary": "Metadata of a document this client issued",
        "security": _BEARER,
        "parameters": _DOCUMENT_ID,
        "responses": {"200": {"description": "the document", "content": _DOC},
                      "401": TOKEN, "403": SCOPE_REFUSED,
                      "404": {"description": "not_found: not issued by this client", "content": _ERROR},
                      "503": UNAVAILABLE},
    }},
    "/api/documents/{id}/pdf": {"get": {
        "summary": "The sealed PDF of a document this client issued",
        "security": _BEARER,
        "parameters": _DOCUMENT_ID,
        "responses": {"200": {"description": "the PDF", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                      "401": TOKEN, "403": SCOPE_REFUSED,
                      "404": {"description": "not_found: not issued by this client", "content": _ERROR},
                      "503": UNAVAILABLE},
    }},
}

SCHEMAS = {
    "IssueRequest": {
        "type": "object", "additionalProperties": False,
        "required": ["template", "subject", "data"],
        "properties": {
            "template": {"type": "string", "examples": ["residence", "birth"]},
            "subject": {"type": "string", "description": "the citizen's sub for this client"},
            "data": {"type": "object", "description": "fields of the template's JSON Schema"},
            "language": {"type": "string", "enum": ["es", "en"], "default": "es"},
            "level": {"type": "string", "enum": ["B-B", "B-T", "B-LT", "B-LTA"],
                      "description": "PAdES level; default documents.level (B-LTA)"},
        },
    },
    "RevokeRequest": {
        "type": "object", "additionalProperties": False,
        "required": ["reason"],
        "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 200,
                       "description": "why, shown to verifiers"},
            "superseded_by": {"type": "string", "minLength": 1, "description": (
                "The id of a valid document this agency issued to the same citizen with the "
                "same template (409 otherwise).")},
        },
    },
    "Document": {
        "type": "object",
        "required": ["id", "csv", "verify_url", "download_url", "sha256", "level"],
        "properties": {
            "id": {"type": "string"}, "csv": {"type": "string"},
            "kind": {"type": "string", "enum": ["sealed", "citizen-signed"]},
            "template": {"type": ["string", "null"]},
            "title": {"type": "string", "description": "The title the PDF says, in `language`."},
            "titles": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "The template's title by language tag (es, en); "
                                      "empty for a document without a template."},
            "language": {"type": "string"}, "level": {"type": "string"},
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "issued_at": {"type": "string", "format": "date-time"},
            "sha256": {"type": "string"}, "size": {"type": "integer"},
            "verify_url": {"type": "string", "format": "uri"},
            "download_url": {"type": "string", "format": "uri"},
        },
    },
    "DataError": {
        "type": "object", "required": ["error", "error_description"],
        "properties": {
            "error": {"type": "string", "enum": ["invalid_data", "idempotency_key_reused"]},
            "error_description": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {
                "path": {"type": "string"}, "pointer": {"type": "string"},
                "message": {"type": "string"}}}},
        },
    },
}


# Documents prepared for a citizen's signature (`idp.documents.prepared_api`).
_PREPARED = {"application/json": {"schema": {"$ref": "#/components/schemas/PreparedDocument"}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
_TOKEN = TOKEN
_MISSING = {"description": "not_found: not prepared by this client", "content": _ERROR}

PREPARED_PATHS = {
    "/api/documents/prepared": {"post": {
        "summary": "Prepare a PDF for a citizen to sign with a passkey; client credentials "
                   "token with scope documents:issue",
        "security": [{"bearer": []}],
        "parameters": [IDEMPOTENCY_KEY],  # and DPoP: idp.oidc.openapi.protected_resource
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/PrepareRequest"}}}},
        "responses": {
            "201": {"description": "waiting for the citizen's signature", "headers": CREATED_HEADERS,
                    "content": _PREPARED},
            **IDEMPOTENCY_REFUSALS,
            "401": _TOKEN,
            "403": {"description": "insufficient_scope; consent_required: the citizen's consent to "
                    "this agency does not stand (the signed document names the citizen); " + ORIGIN,
                    "content": _ERROR},
            "413": {"description": "document_too_large: the PDF is above [documents] max_bytes "
                                   "(20 MiB by default); request_too_large: the body is above "
                                   "what such a PDF takes in base64",
                    "content": _ERROR},
            "415": {"description": "unsupported_media_type: send Content-Type: application/json",
                    "content": _ERROR},
            "422": {"description": "invalid_data (bad member, unknown subject, bad base64), "
                                   "invalid_document (not a PDF, damaged, encrypted), "
                                   "document_too_complex (too many objects, or compressed "
                                   "data too large once decompressed, to read in time) or "
                                   "idempotency_key_reused (this Idempotency-Key was used with "
                                   "another body)",
                    "content": _ERROR},
            "503": {"description": "temporarily_unavailable: too many documents being read, or "
                                   + OUTAGE.removeprefix("temporarily_unavailable: "),
                    "headers": RETRY_AFTER, "content": _ERROR},
        },
    }},
    "/api/documents/prepared/{id}": {
        "get": {"summary": "Status of a prepared document; once signed, the signed "
                           "document's id and download URL",
                "security": [{"bearer": []}], "parameters": _ID,
                "responses": {"200": {"description": "the prepared document",
                                      "content": _PREPARED},
                              "401": _TOKEN, "403": SCOPE_REFUSED, "404": _MISSING,
                              "503": UNAVAILABLE}},
        "delete": {"summary": "Withdraw a prepared document the citizen has not signed",
                   "security": [{"bearer": []}], "parameters": _ID,
                   "responses": {"200": {"description": "withdrawn", "content": _PREPARED},
                                 "401": _TOKEN, "403": SCOPE_REFUSED, "404": _MISSING,
                                 "503": UNAVAILABLE,
                                 "409": {"description": "not_waiting: signed, expired, "
                                                        "withdrawn or declined already", "content": _ERROR}}},
    },
}

PREPARED_SCHEMAS = {
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
            "status": {"type": "string", "enum": ["waiting", "signed", "expired", "withdrawn", "declined"],
                       "description": "declined: the citizen withdrew this agency's access "
                                      "(consent) before signing; it cannot be signed"},
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
