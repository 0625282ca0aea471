"""OpenAPI 3.1 descriptions of the wallet endpoints (added to /openapi.json): OpenID4VCI 1.0
(issuer metadata, token, nonce, credential, notification, offers), SD-JWT VC type metadata,
Token Status Lists, and the OpenID4VP direct_post response URI."""

from __future__ import annotations

from typing import Any

from infra.openapi import OUTAGE

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _path_parameter(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}]


PATHS: dict[str, Any] = {
    "/.well-known/openid-credential-issuer": {"get": {
        "summary": "Credential Issuer Metadata (OpenID4VCI 1.0, section 12.2)",
        "responses": {"200": {"description": "the metadata", "content": _OBJECT}},
    }},
    "/.well-known/oauth-authorization-server/wallet": {"get": {
        "summary": "Metadata of the pre-authorized code grant's authorization server (RFC 8414)",
        "responses": {"200": {"description": "the metadata", "content": _OBJECT}},
    }},
    "/wallet/types/{template}": {"get": {
        "summary": "SD-JWT VC type metadata of a document template (the vct)",
        "parameters": _path_parameter("template"),
        "responses": {"200": {"description": "type metadata", "content": _OBJECT},
                      "404": {"description": "no such type", "content": _ERROR}},
    }},
    "/wallet/offers/{offer_id}": {"get": {
        "summary": "A Credential Offer by reference (OpenID4VCI 1.0, section 4.1.3)",
        "parameters": _path_parameter("offer_id"),
        "responses": {"200": {"description": "the offer", "content": _OBJECT},
                      "404": {"description": "expired or unknown", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/token": {"post": {
        "summary": "Token Endpoint of the pre-authorized code grant (OpenID4VCI 1.0, section 6)",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["grant_type", "pre-authorized_code"],
                       "properties": {
                           "grant_type": {"const": "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
                           "pre-authorized_code": {"type": "string"},
                           "tx_code": {"type": "string"}}}}}},
        "responses": {"200": {"description": "access token", "content": _OBJECT},
                      "400": {"description": "invalid_grant, unsupported_grant_type, invalid_request, "
                                             "unauthorized_client", "content": _ERROR},
                      "429": {"description": "too many requests", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/nonce": {"post": {
        "summary": "Nonce Endpoint: a fresh c_nonce for key proofs (OpenID4VCI 1.0, section 7)",
        "responses": {"200": {"description": "the nonce", "content": {"application/json": {
            "schema": {"type": "object", "required": ["c_nonce"],
                       "properties": {"c_nonce": {"type": "string"}}}}}},
                      "429": {"description": "too many requests", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/credential": {"post": {
        "summary": "Credential Endpoint: an SD-JWT VC per key proof (OpenID4VCI 1.0, section 8)",
        "security": _BEARER,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["proofs"],
            "properties": {"credential_configuration_id": {"type": "string"},
                           "credential_identifier": {"type": "string"},
                           "proofs": {"type": "object", "properties": {
                               "jwt": {"type": "array", "items": {"type": "string"}}}}}}}}},
        "responses": {"200": {"description": "the credentials", "content": _OBJECT},
                      "400": {"description": "invalid_proof, invalid_nonce, "
                                             "unknown_credential_configuration", "content": _ERROR},
                      "401": {"description": "invalid_token", "content": _ERROR},
                      "404": {"description": "the document is gone", "content": _ERROR},
                      "409": {"description": "not_offered: the document was revoked",
                              "content": _ERROR},
                      "415": {"description": "not JSON", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/notification": {"post": {
        "summary": "Notification Endpoint (OpenID4VCI 1.0, section 11)",
        "security": _BEARER,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["notification_id", "event"],
            "properties": {"notification_id": {"type": "string"},
                           "event": {"enum": ["credential_accepted", "credential_failure",
                                              "credential_deleted"]},
                           "event_description": {"type": "string"}}}}}},
        "responses": {"204": {"description": "noted"},
                      "400": {"description": "invalid_notification_id or request",
                              "content": _ERROR},
                      "401": {"description": "invalid_token", "content": _ERROR},
                      "415": {"description": "not JSON", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/status/{list_id}": {"get": {
        "summary": "An agency's Token Status List (draft-ietf-oauth-status-list), signed JWT",
        "parameters": _path_parameter("list_id"),
        "responses": {"200": {"description": "the Status List Token", "content": {
            "application/statuslist+jwt": {"schema": {"type": "string"}}}},
                      "404": {"description": "no such list", "content": _ERROR},
                      "503": OUTAGE},
    }},
    "/wallet/presentations/response": {"post": {
        "summary": "Response URI of the OpenID4VP verifier (response_mode direct_post)",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["state"],
                       "properties": {"vp_token": {"type": "string"},
                                      "state": {"type": "string"},
                                      "error": {"type": "string"}}}}}},
        "responses": {"200": {"description": "redirect_uri for the browser", "content": _OBJECT},
                      "400": {"description": "the presentation is refused (error says why)",
                              "content": _ERROR},
                      "503": {**OUTAGE, "description": "issuer_revocation_unavailable: the PID's status list "
                                                       "is unreachable; or " + OUTAGE["description"]}},
    }},
}
