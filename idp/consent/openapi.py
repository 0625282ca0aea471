"""OpenAPI 3.1 descriptions of the citizen's JSON downloads (added to /openapi.json)."""

from __future__ import annotations

_SIGNED_IN = "Needs the citizen's session cookie; without it, a redirect to /login."

PATHS = {
    "/account/log.json": {"get": {
        "summary": "The signed-in citizen's data-sharing log, checkable offline",
        "description": _SIGNED_IN + " Entries in full, the signed checkpoints around them and, for "
                       "each stretch of the chain between two checkpoints, every entry's sequence "
                       "number and body hash (check with `cedula audit verify --file`).",
        "responses": {
            "200": {"description": "format cedula-data-sharing-log/1", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/DataSharingLog"}}}},
            "302": {"description": "not signed in"},
            "429": {"description": "too many downloads"},
        },
    }},
    "/account/export": {"get": {
        "summary": "Everything held about the signed-in citizen (GDPR art. 15 and 20)",
        "description": _SIGNED_IN + " Profile, passkeys' metadata, the sign-in history, consents with their signed "
                       "receipts (ISO/IEC TS 27560 fields), documents list and the data-sharing log.",
        "responses": {
            "200": {"description": "format cedula-account-export/1", "content": {"application/json": {
                "schema": {"type": "object", "required": ["format", "profile", "passkeys", "consents",
                                                          "documents", "log"]}}}},
            "302": {"description": "not signed in"},
            "429": {"description": "too many downloads"},
        },
    }},
}

SCHEMAS = {
    "DataSharingLog": {
        "type": "object",
        "required": ["format", "issuer", "citizen", "entries", "segments", "checkpoints"],
        "properties": {
            "format": {"const": "cedula-data-sharing-log/1"},
            "issuer": {"type": "string"},
            "citizen": {"type": "string"},
            "hashing": {"type": "string"},
            "entries": {"type": "array", "items": {"type": "object", "required": [
                "seq", "prev_hash", "hash", "body"]}},
            "segments": {"type": "array", "items": {"type": "object", "required": [
                "after", "until", "digests"]}},
            "checkpoints": {"type": "array", "items": {"type": "object", "required": [
                "seq", "head_hash", "kid", "jwk", "jws"]}},
            "not_yet_checkpointed": {"type": "array", "items": {"type": "integer"}},
        },
    },
}
