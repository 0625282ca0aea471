"""OpenAPI 3.1 description of dynamic registration (RFC 7591) and client management (RFC 7592),
from the rules `clients.registry.metadata` enforces (added to /openapi.json)."""

from __future__ import annotations

from typing import Any

from clients.registry.localized import LOCALIZABLE, MAX_TAGS
from clients.registry.metadata import (
    APPLICATION_TYPES,
    ASSURANCE_LEVELS,
    AUTH_METHODS,
    GRANT_TYPES,
    ID_TOKEN_ALGS,
    MAX_ITEMS,
    SECURITY_PROFILES,
    SIGNING_ALGS,
    SUBJECT_TYPES,
)

_URI = {"type": "string", "format": "uri", "maxLength": 2000}


def _uris(field: str) -> dict[str, Any]:
    return {"type": "array", "items": _URI, "maxItems": MAX_ITEMS[field]}


def _strings(field: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(allowed)}, "maxItems": MAX_ITEMS[field]}


CLIENT_METADATA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 7591 section 2 and OpenID Connect Dynamic Client Registration 1.0 section 2; "
                   "other members are ignored (RFC 7591 section 2). Language-tagged forms "
                   f"(`client_name#en`, at most {MAX_TAGS} per field) are accepted for "
                   f"{', '.join(LOCALIZABLE)}.",
    "properties": {
        "redirect_uris": _uris("redirect_uris"),
        "token_endpoint_auth_method": {"enum": list(AUTH_METHODS), "default": "client_secret_basic"},
        "token_endpoint_auth_signing_alg": {
            "enum": list(SIGNING_ALGS),
            "description": "private_key_jwt: the algorithm of the client's assertions; left out, the alg of its "
                           "keys: the JWK's alg, else RS256 for an RSA key, ES384 for P-384, EdDSA for Ed25519, "
                           "ES256 for P-256"},
        "grant_types": _strings("grant_types", GRANT_TYPES),
        "response_types": _strings("response_types", ("code",)),
        "application_type": {"enum": list(APPLICATION_TYPES), "default": "web"},
        "client_name": {"type": "string", "minLength": 1, "maxLength": 200},
        "purpose": {"type": "string", "minLength": 1, "maxLength": 500,
                    "description": "Why the portal asks for the citizen's data (the consent page)"},
        "scope": {"type": "string", "description": "space-separated; restricted scopes need an operator "
                                                   "or an initial access token that carries them"},
        "jwks": {"type": "object", "required": ["keys"],
                 "properties": {"keys": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS["jwks"],
                                         "items": {"type": "object"}}}},
        "jwks_uri": _URI, "client_uri": _URI, "logo_uri": _URI, "policy_uri": _URI, "tos_uri": _URI,
        "sector_identifier_uri": _URI,
        "contacts": {"type": "array", "items": {"type": "string", "maxLength": 320},
                     "maxItems": MAX_ITEMS["contacts"]},
        "post_logout_redirect_uris": _uris("post_logout_redirect_uris"),
        "backchannel_logout_uri": _URI,
        "backchannel_logout_session_required": {"type": "boolean", "default": True},
        "id_token_signed_response_alg": {"enum": list(ID_TOKEN_ALGS), "default": "ES256"},
        "request_object_signing_alg": {"enum": list(SIGNING_ALGS)},
        "authorization_signed_response_alg": {"const": "ES256"},
        "introspection_signed_response_alg": {"const": "ES256"},
        "subject_type": {"enum": list(SUBJECT_TYPES), "default": "pairwise"},
        "default_max_age": {"type": "integer", "minimum": 0},
        "default_acr_values": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS["default_acr_values"],
                               "items": {"type": "string", "maxLength": 255, "pattern": "^[!-~]+$"},
                               "description": "the acr_values of an authorization request that asks for no "
                                              "level (OIDC Registration 1.0 section 2)"},
        "require_auth_time": {"type": "boolean"},
        "require_pushed_authorization_requests": {"type": "boolean"},
        "dpop_bound_access_tokens": {"type": "boolean"},
        "require_signed_request_object": {"type": "boolean", "description": "true: every authorization "
                                          "request of the client is a signed request object (RFC 9101)"},
        "max_assurance_level": {"enum": list(ASSURANCE_LEVELS)},
        "security_profile": {"enum": list(SECURITY_PROFILES)},
        "software_id": {"type": "string", "maxLength": 200},
        "software_version": {"type": "string", "maxLength": 100},
        "client_id": {"type": "string", "description": "PUT only: the client's own id (RFC 7592 section 2.2)"},
        "client_secret": {"type": "string", "description": "PUT only: the current secret, if sent"},
    },
    "patternProperties": {f"^({'|'.join(LOCALIZABLE)})#[A-Za-z0-9-]+$": {"type": "string"}},
}

CLIENT_INFORMATION: dict[str, Any] = {
    "description": "RFC 7591 section 3.2.1, RFC 7592 section 3: the metadata as enforced (defaults "
                   "filled in), and a new registration_access_token each time: store it",
    "allOf": [{"$ref": "#/components/schemas/ClientMetadata"}],
    "type": "object",
    "required": ["client_id", "client_id_issued_at", "registration_access_token",
                 "registration_client_uri", "redirect_uris", "token_endpoint_auth_method",
                 "grant_types", "response_types", "scope"],
    "properties": {
        "client_id": {"type": "string"}, "client_id_issued_at": {"type": "integer"},
        "client_secret": {"type": "string", "description": "in the registration response only"},
        "client_secret_expires_at": {"const": 0, "description": "0: never"},
        "registration_access_token": {"type": "string"},
        "registration_client_uri": {"type": "string", "format": "uri"},
        "disabled": {"const": True, "description": "an operator suspended the client"},
    },
}

_NO_STORE = {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}}
_INFORMATION = {"application/json": {"schema": {"$ref": "#/components/schemas/ClientInformation"}}}
_METADATA_BODY = {"required": True, "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/ClientMetadata"}}}}
_REFUSED_METADATA = {"description": "invalid_client_metadata or invalid_redirect_uri (RFC 7591 section 3.2.2); "
                                    "the description names the field and the rule",
                     "content": {"application/json": {"schema": {"allOf": [
                         {"$ref": "#/components/schemas/Error"},
                         {"properties": {"error": {"enum": ["invalid_client_metadata", "invalid_redirect_uri"]}}}]}}}}


def _refused_token(what: str) -> dict[str, Any]:
    return {"description": f"invalid_token: {what} missing or not valid (RFC 6750 section 3)",
            "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_TOO_LARGE = {"description": "request_too_large: the body is above [server] max_body_bytes (1 MiB by "
                             "default)", "content": _ERROR}
_UNAVAILABLE = {"description": "temporarily_unavailable: the database or the ephemeral store is "
                               "unavailable; retry after the Retry-After seconds",
                "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
                "content": _ERROR}


PATHS: dict[str, Any] = {
    "/register": {"post": {
        "summary": "Register an agency client (RFC 7591) with an initial access token",
        "security": [{"bearer": []}],
        "requestBody": _METADATA_BODY,
        "responses": {"201": {"description": "client information response; the client_secret is shown "
                                             "only here", "headers": _NO_STORE, "content": _INFORMATION},
                      "400": _REFUSED_METADATA,
                      "401": _refused_token("the initial access token is"),
                      "413": _TOO_LARGE, "503": _UNAVAILABLE},
    }},
    "/register/{client_id}": {
        "parameters": [{"name": "client_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"summary": "Read a client's metadata (RFC 7592 section 2.1)", "security": [{"bearer": []}],
                "responses": {"200": {"description": "client information", "headers": _NO_STORE,
                                      "content": _INFORMATION},
                              "401": _refused_token("the registration access token is"),
                              "503": _UNAVAILABLE}},
        "put": {"summary": "Replace a client's metadata (RFC 7592 section 2.2)", "security": [{"bearer": []}],
                "requestBody": _METADATA_BODY,
                "responses": {"200": {"description": "client information", "headers": _NO_STORE,
                                      "content": _INFORMATION},
                              "400": _REFUSED_METADATA,
                              "401": _refused_token("the registration access token is"),
                              "413": _TOO_LARGE, "503": _UNAVAILABLE}},
        "delete": {"summary": "Deprovision a client (RFC 7592 section 2.3)", "security": [{"bearer": []}],
                   "responses": {"204": {"description": "deleted"},
                                 "401": _refused_token("the registration access token is"),
                                 "503": _UNAVAILABLE}},
    },
}

SCHEMAS: dict[str, Any] = {"ClientMetadata": CLIENT_METADATA, "ClientInformation": CLIENT_INFORMATION}
