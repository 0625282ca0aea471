"""OpenAPI 3.1 description of the verification API (merged into `/openapi.json`)."""

from __future__ import annotations

from typing import Any

from infra.openapi import RATE_LIMIT_HEADERS, RETRY_AFTER

_ERROR = {"$ref": "#/components/schemas/Error"}
_INDICATION = {"type": "string", "enum": ["TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_VERDICT = {"type": "string",
            "enum": ["valid", "not_valid", "indeterminate", "revoked", "superseded"],
            "description": "The one answer for people, shown first on the /verify page: "
                           "not_valid (TOTAL-FAILED: changed after signing or broken "
                           "signature) before revoked/superseded (the issuing agency withdrew "
                           "it) before indeterminate; valid only when nothing is wrong."}
_ADVICE = {"type": "object", "required": ["title", "means", "next"],
           "description": "The verdict in plain words, in the requested language.",
           "properties": {"title": {"type": "string"}, "means": {"type": "string"},
                          "next": {"type": "string", "description": "What to do next."}}}
_CERT = {"type": "object", "properties": {
    "subject": {"type": "string"}, "issuer": {"type": "string"}, "serial": {"type": "string"},
    "not_before": _TIME, "not_after": _TIME, "sha256": {"type": "string"}}}

SCHEMAS = {
    "VerificationReport": {
        "type": "object",
        "description": "Verification report; indications per ETSI EN 319 102-1, clause 5.1.3.",
        "required": ["verdict", "advice", "indication", "sub_indication", "document_status",
                     "summary", "validated_at", "file", "signatures", "document_timestamps", "document"],
        "properties": {
            "verdict": _VERDICT,
            "advice": _ADVICE,
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
            "citizen_signed": {"oneOf": [{"type": "null"},
                                         {"$ref": "#/components/schemas/CitizenSignedDocument"}],
                               "description": "A document a citizen signed with this service "
                                              "(found by its code or content). It proves who "
                                              "signed it and when, not its content: no agency "
                                              "issued it, and `document` stays null for it."},
            "unsigned_additions": {"type": "boolean",
                                   "description": "Data follows the last byte any signature "
                                                  "or document time-stamp signs; a valid "
                                                  "document is then valid with data added "
                                                  "after signing (see `summary`, `advice`)."},
            "validation_data_only": {"type": "boolean",
                                     "description": "What follows the last signed byte is "
                                                    "only validation data (a DSS, as a PAdES "
                                                    "B-LT signature adds after itself): a "
                                                    "permitted addition, said as such."},
            "active_content": {"type": "array", "items": {
                "type": "object",
                "properties": {"kind": {"type": "string",
                                        "enum": ["actions", "embedded_files", "xfa",
                                                 "printed_only", "ambiguous_pages",
                                                 "annotations_without_appearance",
                                                 "inconsistent_page_tree",
                                                 "replacement_text",
                                                 "field_values", "shown_on_hover",
                                                 "hidden_layer", "thumbnail",
                                                 "portfolio",
                                                 "alternate_presentation"]},
                               "message": {"type": "string"}}},
                               "description": "What the file holds that can act when it is "
                                              "opened (JavaScript, other actions), files "
                                              "attached to it, an XFA form, content printed "
                                              "but not shown on screen (or shown only under "
                                              "the pointer, or on a layer the default view "
                                              "hides, or as a page's thumbnail), a page or "
                                              "an annotation, a portfolio or a slideshow "
                                              "that readers show differently: the signatures "
                                              "do not "
                                              "vouch for what these show or do."},
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
                "level": {"type": "string", "enum": ["none", "unchanged", "unreferenced",
                                                     "validation_data",
                                                     "signatures", "form_filling", "annotations", "metadata",
                                                     "beyond_certification", "other",
                                                     "appended", "unclear", "not_examined"]},
                "fields": {"type": "array", "items": {"type": "string"}},
                "explanation": {"type": "string"}}},
        },
    },
    "CodeVerdict": {
        "type": "object",
        "description": "A verification code that names no document. `not_found` (404): the "
                       "code is well-formed but unknown, possibly a forged document; report it "
                       "at `report_url` or to `contact`. `malformed_code` (400, error "
                       "`invalid_code`): a typing mistake.",
        "required": ["error", "error_description"],
        "properties": {
            "error": {"type": "string", "description": "not_found or invalid_code for a code "
                                                        "that names no document; other errors "
                                                        "(invalid_request, ...) carry no verdict."},
            "error_description": {"type": "string"},
            "verdict": {"type": "string", "enum": ["not_found", "malformed_code"]},  # when present
            "advice": _ADVICE,
            "possible_forgery": {"type": "boolean"},
            "report_url": {"type": "string", "format": "uri"},
            "contact": {"type": "object", "description": "[organisation] name, email, phone, "
                                                         "address, hours (those set).",
                        "additionalProperties": {"type": "string"}},
        },
    },
    "IssuedDocument": {
        "type": "object",
        "properties": {
            "csv": {"type": "string"},
            "type": {"type": "string",
                     "description": "What the document is (its title), in the language asked for."},
            "issuer": {"type": "string"},
            "issued_at": _TIME,
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "revoked_at": _TIME, "reason": {"type": ["string", "null"]},
            "superseded_by": {"type": ["string", "null"]},
            "matched_by": {"type": "string", "enum": ["hash", "revision", "signed_content", "csv"],
                           "description": "signed_content: the file holds what the document's "
                                          "signatures sign, but other bytes differ from the "
                                          "stored original (cut after its seal, or a signature "
                                          "value rewritten)."},
            "message": {"type": "string"},
        },
    },
    "CitizenSignedDocument": {
        "type": "object",
        "properties": {
            "csv": {"type": "string"},
            "signer": {"type": ["string", "null"],
                       "description": "The name in the citizen's certificate that signed it."},
            "signed_at": _TIME,
            "assurance_level": {"type": ["string", "null"], "enum": ["low", "substantial", "high", None]},
            "status": {"type": "string", "enum": ["valid"]},
            "matched_by": {"type": "string", "enum": ["hash", "revision", "csv"]},
            "issued_by_agency": {"type": "boolean", "enum": [False]},
            "message": {"type": "string", "description": "What the signature proves, in words."},
        },
    },
}

_REPORT = {"description": "The verification report.", "headers": RATE_LIMIT_HEADERS,
           "content": {"application/json": {"schema": {
               "$ref": "#/components/schemas/VerificationReport"}}}}
_LANG = {"name": "lang", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["es", "en"]},
         "description": "Language of the plain-words texts (default: Accept-Language, else es)."}




def _error(description: str, *, retry: bool = False) -> dict[str, Any]:
    """An error answer whose `error` codes `description` names (`Error` schema)."""
    return {"description": description,
            **({"headers": {**RETRY_AFTER, **RATE_LIMIT_HEADERS}} if retry else {}),
            "content": {"application/json": {"schema": _ERROR}}}


_UNAVAILABLE = ("temporarily_unavailable: the database or the ephemeral store is unavailable{}; "
                "retry after the Retry-After seconds")
UPLOAD_ERRORS = {
    "400": _error("empty_file: nothing was sent: the body is empty, or the multipart field "
                  "\"file\" is missing or empty; send the PDF itself as the body "
                  "(Content-Type: application/pdf) or in the multipart/form-data field \"file\""),
    "413": _error("request_too_large: the body is above [verify] max_upload_bytes; "
                  "file_too_large: the multipart field \"file\" is"),
    "415": _error("not_pdf: the body is not a PDF (no %PDF- header); unsupported_media_type: "
                  "send Content-Type: application/pdf or multipart/form-data"),
    "422": _error("damaged_pdf: the PDF is damaged or incomplete; encrypted_pdf: the PDF is "
                  "encrypted; document_too_complex: it has far more objects, or compressed data, "
                  "than its size explains"),
    "429": _error("too_many_requests: more than [verify] attempts verifications from this client "
                  "address in [verify] window_seconds; retry after the Retry-After seconds",
                  retry=True),
    "503": _error(_UNAVAILABLE.format(", or as many verifications as [verify] max_concurrent "
                                      "are running"), retry=True),
}
LOOKUP_ERRORS = {
    "429": _error("too_many_requests: more than [verify] lookups look-ups, or [verify] "
                  "failed_lookups unknown codes, from this client address in [verify] "
                  "window_seconds; retry after the Retry-After seconds", retry=True),
    "503": _error(_UNAVAILABLE.format(""), retry=True),
}


PATHS = {
    "/api/verify": {"post": {
        "summary": "Verify a signed PDF (no authentication; rate-limited).",
        "parameters": [_LANG],
        "requestBody": {"required": True, "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                               "properties": {"file": {
                                                   "type": "string", "format": "binary"}}}}}},
        "responses": {"200": _REPORT, **UPLOAD_ERRORS},
    }},
    "/api/verify/{csv}": {"get": {
        "summary": "The document with this verification code (CSV): an issued one (`document`) "
                   "or one a citizen signed (`citizen_signed`), and the report of its original.",
        "description": "Public: a portal's page may call it from the browser. Every answer, "
                       "errors included, carries Access-Control-Allow-Origin: * (no credentials; "
                       "no cookie is read) and exposes Retry-After; a plain GET needs no preflight.",
        "parameters": [{"name": "csv", "in": "path", "required": True,
                        "schema": {"type": "string"}}, _LANG],
        "responses": {"200": _REPORT, **LOOKUP_ERRORS, **{
            str(code): {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CodeVerdict"}}}}
            for code, text in ((400, "invalid_code: a mistyped code (verdict malformed_code)."),
                               (404, "not_found: no document has this well-formed code "
                                     "(verdict not_found, possible_forgery), or its original "
                                     "is missing (no verdict)."))}},
    }},
}
