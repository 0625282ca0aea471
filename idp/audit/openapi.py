"""OpenAPI 3.1 descriptions of the data-sharing log's public JSON (added to /openapi.json): the
keys a downloaded log's checkpoints and the consent receipts are checked with, and the newest
checkpoint auditors keep copies of (`idp.audit.views`)."""

from __future__ import annotations

from infra.openapi import OUTAGE, refused

_JWS = {"type": "string", "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"}

SCHEMAS = {
    "LogKeys": {
        "type": "object", "required": ["keys"],
        "description": "Every key the data-sharing log ever had, oldest first (a JWK Set, RFC 7517 section 5)",
        "properties": {"keys": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["kty", "kid", "alg", "log_key_seq", "created_at", "endorsement"],
            "properties": {
                "kty": {"enum": ["EC", "RSA"]}, "kid": {"type": "string", "description": "RFC 7638 thumbprint"},
                "use": {"const": "sig"}, "alg": {"enum": ["ES256", "RS256"]},
                "crv": {"type": "string"}, "x": {"type": "string"}, "y": {"type": "string"},
                "n": {"type": "string"}, "e": {"type": "string"},
                "log_key_seq": {"type": "integer", "minimum": 1, "description": "1 for the first key"},
                "created_at": {"type": "string", "format": "date-time"},
                "endorsement": {**_JWS, "description": "JWS (typ log-key+jwt) introducing this key, signed by "
                                                       "the key before it (the first key by itself)"}}}}},
    },
    "LogCheckpoint": {
        "type": "object", "required": ["seq", "head_hash", "time", "kid", "jws"],
        "properties": {
            "seq": {"type": "integer", "minimum": 1, "description": "the last entry it covers"},
            "head_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "time": {"type": "string", "format": "date-time"},
            "kid": {"type": "string", "description": "the log key (/audit/log-keys.json) that signed it"},
            "jws": {**_JWS, "description": "JWS over {seq, head_hash, time, prev}"},
            "verify": {"type": "string", "description": "how to check the log against a kept copy"},
        },
    },
}

PATHS = {
    "/audit/log-keys.json": {"get": {
        "summary": "The data-sharing log's keys, every one it ever had",
        "description": "Checkpoints (in /account/log.json and /audit/checkpoint.json) and consent receipts "
                       "name their key by `kid`; keep a copy to notice a history that changes. Any origin "
                       "may read it (CORS).",
        "responses": {"200": {"description": "JWK Set with each key's endorsement",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LogKeys"}}}},
                      "503": OUTAGE}}},
    "/audit/checkpoint.json": {"get": {
        "summary": "The newest signed checkpoint of the data-sharing log",
        "description": "Keep copies: `cedula audit verify --kept <file>` then shows a log whose tail was cut "
                       "off or that was restored from an older copy. Any origin may read it (CORS).",
        "responses": {"200": {"description": "the newest checkpoint",
                              "content": {"application/json": {"schema": {
                                  "$ref": "#/components/schemas/LogCheckpoint"}}}},
                      "404": refused("not_found: no checkpoint is signed yet; one is signed when the log's "
                                     "first entry is sealed, after the first release of a citizen's data"),
                      "503": OUTAGE}}},
}
