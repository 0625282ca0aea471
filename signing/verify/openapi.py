"""OpenAPI 3.1 description of the verification API (merged into `/openapi.json`)."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_INDICATION = {"type": "string", "enum": ["TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_CERT = {"type": "object", "properties": {
    "subject": {"type": "string"}, "issuer": {"type": "string"}, "serial": {"type": "string"},
    "not_before": _TIME, "not_after": _TIME, "sha256": {"type": "string"}}}

SCHEMAS = {
    "VerificationReport": {
        "type": "object",
        "description": "Verification report; indications per ETSI EN 319 102-1, clause 5.1.3.",
        "required": ["indication", "sub_indication", "document_status", "summary", "validated_at", "file",
                     "signatures", "document_timestamps", "document"],
        "properties": {
            "indication": _INDICATION,
            "sub_indication": {"type": ["string", "null"]},
            "document_status": {"type": ["string", "null"],
                                "enum": ["valid", "revoked", "superseded", None],
                                "description": "The issuing agency's word on the document "
                                               "itself; revoked or superseded documents are "
                                               "not to be relied on whatever the signatures "
                                               "say."},
            "summary": {"type": "string"},
            "validated_at": _TIME,
            "file": {"type": "object", "properties": {"sha256": {"type": "string"},
                                                      "size": {"type": "integer"}}},
            "signatures": {"type": "array",
                           "items": {"$ref": "#/components/schemas/SignatureReport"}},
            "document_timestamps": {"type": "array", "items": {"type": "object"}},
            "document": {"oneOf": [{"type": "null"},
                                   {"$ref": "#/components/schemas/IssuedDocument"}]},
        },
    },
    "SignatureReport": {
        "type": "object",
        "properties": {
            "field": {"type": "string"}, "indication": _INDICATION,
            "sub_indication": {"type": ["string", "null"]}, "message": {"type": "string"},
            "signer": {"type": ["object", "null"]}, "signing_time": _TIME,
            "timestamp": {"type": ["object", "null"]}, "proven_time": _TIME,
            "chain": {"type": "array", "items": _CERT},
            "trust_anchor": {"oneOf": [{"type": "null"}, _CERT]},
            "revocation": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["good", "revoked", "unknown"]},
                "revoked_at": _TIME, "reason": {"type": ["string", "null"]}}},
            "level": {"type": ["string", "null"], "enum": ["B-B", "B-T", "B-LT", "B-LTA", None]},
            "covers_whole_document": {"type": "boolean"},
            "signed_as": {"type": ["string", "null"],
                          "enum": ["agency_seal", "citizen_signature", None]},
            "assurance_level": {"type": ["string", "null"],
                                "enum": ["low", "substantial", "high", None]},
            "role": {"type": ["string", "null"]},
            "approval": {"type": ["object", "null"]},
            "modifications": {"type": "object", "properties": {
                "level": {"type": "string", "enum": ["none", "validation_data", "signatures",
                                                     "form_filling", "annotations", "metadata", "other",
                                                     "appended", "unclear"]},
                "fields": {"type": "array", "items": {"type": "string"}},
                "explanation": {"type": "string"}}},
        },
    },
    "IssuedDocument": {
        "type": "object",
        "properties": {
            "csv": {"type": "string"}, "type": {"type": "string"}, "issuer": {"type": "string"},
            "issued_at": _TIME,
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "revoked_at": _TIME, "reason": {"type": ["string", "null"]},
            "superseded_by": {"type": ["string", "null"]},
            "matched_by": {"type": "string", "enum": ["hash", "revision", "csv"]},
            "message": {"type": "string"},
        },
    },
}

_REPORT = {"description": "The verification report.",
           "content": {"application/json": {"schema": {
               "$ref": "#/components/schemas/VerificationReport"}}}}
_LANG = {"name": "lang", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["es", "en"]},
         "description": "Language of the plain-words texts (default: Accept-Language, else es)."}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"description": "Error.", "content": {"application/json": {
        "schema": _ERROR}}} for code in codes}


PATHS = {
    "/api/verify": {"post": {
        "summary": "Verify a signed PDF (no authentication; rate-limited).",
        "parameters": [_LANG],
        "requestBody": {"required": True, "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                               "properties": {"file": {
                                                   "type": "string", "format": "binary"}}}}}},
        "responses": {"200": _REPORT, **_errors(400, 413, 415, 422, 429)},
    }},
    "/api/verify/{csv}": {"get": {
        "summary": "The issued document with this verification code (CSV), its status and the "
                   "report of its original.",
        "parameters": [{"name": "csv", "in": "path", "required": True,
                        "schema": {"type": "string"}}, _LANG],
        "responses": {"200": _REPORT, **_errors(404, 429)},
    }},
}
